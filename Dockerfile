# simgate: one image for the hub (`simgate serve`), the worker and the reference agent.
# Build stage: a wheel and its pinned dependencies, built where compilers may live.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY src ./src
RUN python -m venv /opt/simgate \
    && /opt/simgate/bin/pip install --no-cache-dir --upgrade pip \
    && /opt/simgate/bin/pip install --no-cache-dir .

# Run stage: the virtualenv only, run by an unprivileged user.
FROM python:3.11-slim
RUN groupadd --system --gid 10001 simgate \
    && useradd --system --uid 10001 --gid simgate --home-dir /var/lib/simgate --create-home simgate
COPY --from=build /opt/simgate /opt/simgate
ENV PATH=/opt/simgate/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    SIMGATE_DATA_DIR=/var/lib/simgate \
    SIMGATE_HOST=0.0.0.0 \
    SIMGATE_PORT=8080
USER 10001:10001
WORKDIR /var/lib/simgate
EXPOSE 8080
# /health answers while the process serves; /ready (database and migrations) is for the
# load balancer, so a database outage does not get every replica restarted.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request as u; sys.exit(u.urlopen('http://127.0.0.1:8080/health', timeout=2).status != 200)"]
ENTRYPOINT ["simgate"]
CMD ["serve"]
