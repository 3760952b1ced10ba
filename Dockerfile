# syntax=docker/dockerfile:1
# The sidecar image: built in one stage, run in a slim one as a non-root user.
# Node 22 LTS (Node 20 reached end of life in April 2026); the code also runs on Node 20.19+.

FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY sidecar ./sidecar
# tsc emits JavaScript only: the files read at run time (GraphQL documents, SQL migrations, the
# dashboard's static files) are copied beside it with coreutils' install (no cpio in slim images).
RUN npx tsc -p tsconfig.build.json \
 && cd sidecar \
 && find . -type f -not -name '*.test.*' \( -name '*.graphql' -o -name '*.sql' -o -path './observability/dashboard-page/*' \) \
      -exec install -D -m 0644 {} ../dist/sidecar/{} \; \
 && cd .. && npm prune --omit=dev

FROM node:22-bookworm-slim AS runtime
# Inside the container the server binds every interface; the published port decides who reaches it
# (outside a container LISTEN_HOST defaults to loopback).
ENV NODE_ENV=production LISTEN_HOST=0.0.0.0
WORKDIR /app
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root package.json ./
# The image's built-in unprivileged user; the app cannot write to its own code.
USER node
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["node", "dist/sidecar/main.js"]
