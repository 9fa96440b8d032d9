# syntax=docker/dockerfile:1
# Stoa runs its TypeScript sources directly on Node 24 (type stripping): no build step, no dev tools.
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    STOA_STORE_DATADIR=/var/lib/stoa \
    STOA_SERVER_BIND=0.0.0.0 \
    STOA_HTTP_PLAIN_PORT=8080 \
    STOA_HTTP_PLAIN_BIND=127.0.0.1
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY config ./config
COPY src ./src
RUN mkdir -p /var/lib/stoa && chown node:node /var/lib/stoa && ln -s /app/bin/stoa.js /usr/local/bin/stoa
USER node
VOLUME ["/var/lib/stoa"]
# HTTPS, IMAP (TLS, STARTTLS), submission (STARTTLS, TLS), MX, LMTP: the unprivileged defaults of config/stoa.yaml.
EXPOSE 8443 9993 9143 9587 9465 2525 2424
# The plain listener is bound to loopback inside the container, for this check only.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "src/main.ts"]
