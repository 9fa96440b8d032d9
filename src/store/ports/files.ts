import type { BlobInfo } from './blob.ts';

/**
 * File drives: a tree of directories and files per drive (a user's own, a group's shared one).
 * A file points at a blob; writing a file is one step that swaps the pointer, so a reader sees the
 * old bytes or the new ones, never a partial upload. Every change to a directory's members appends
 * to the journal container `files:{directoryId}` (item = member name), which gives each directory
 * its DAV sync token and getctag.
 */
export type FileKind = 'file' | 'dir';

export interface FileNode {
  id: string;
  driveId: string;
  /** null for a drive's root directory. */
  parentId: string | null;
  /** NFC-normalised; unique among its siblings. */
  name: string;
  kind: FileKind;
  /** The blob of a file; null for a directory. */
  blob: string | null;
  size: number;
  contentType: string | null;
  /** Changes whenever the content (a file) or the properties change; opaque, unquoted. */
  etag: string;
  createdAt: string;
  modifiedAt: string;
  /** Dead properties: clark name (`{ns}local`) → the property element as XML text. */
  props: Record<string, string>;
}

export class FileExistsError extends Error {
  constructor(name: string) {
    super(`"${name}" already exists`);
    this.name = 'FileExistsError';
  }
}

export class FileNotFoundError extends Error {
  constructor(what = 'no such file or directory') {
    super(what);
    this.name = 'FileNotFoundError';
  }
}

export class DriveFullError extends Error {
  constructor() {
    super('the drive quota would be exceeded');
    this.name = 'DriveFullError';
  }
}

export function filesContainer(directoryId: string): string {
  return `files:${directoryId}`;
}

export interface FilesStore {
  /** The drive's root directory, created on first use. */
  root(driveId: string): Promise<FileNode>;
  get(id: string): Promise<FileNode | null>;
  child(parentId: string, name: string): Promise<FileNode | null>;
  /** Members of a directory, ordered by name. */
  children(parentId: string): Promise<FileNode[]>;
  /** Creates a directory; FileExistsError when the name is taken, FileNotFoundError when the parent is gone. */
  mkdir(parentId: string, name: string): Promise<FileNode>;
  /**
   * Points `name` at a stored blob, creating the file or replacing a file's content in one step.
   * DriveFullError (nothing changed) when the drive's usage would pass `quota` (null = no limit);
   * FileExistsError when `name` is a directory.
   */
  putFile(parentId: string, name: string, blob: BlobInfo, contentType: string | null, quota: number | null): Promise<{ node: FileNode; created: boolean }>;
  /** Removes a node and everything below it. */
  remove(id: string): Promise<void>;
  /**
   * Moves a node (with its subtree) under another directory of the same drive, or copies it (with
   * its subtree when `deep`) into any drive. The destination name must be free (FileExistsError).
   */
  move(id: string, parentId: string, name: string): Promise<FileNode>;
  copy(id: string, parentId: string, name: string, deep: boolean, quota: number | null): Promise<FileNode>;
  /** Sets and removes dead properties in one step. */
  setProps(id: string, set: Record<string, string>, remove: string[]): Promise<FileNode>;
  /** Bytes of all files of a drive. */
  usage(driveId: string): Promise<number>;
  isBlobReferenced(hash: string): Promise<boolean>;
}
