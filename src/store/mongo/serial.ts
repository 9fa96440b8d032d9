/**
 * Runs the steps given for one key one after another, in the order given. Writers of this process
 * then never contend with each other for the same document or counter: only other processes can
 * make a claim or an allocation fail, which keeps retries rare.
 */
export class KeyedQueue {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, step: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(step, step);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    void tail.then(() => {
      // The last one out removes the key, so the map holds only keys with work pending.
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }
}
