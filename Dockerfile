# Production image: daphne (web), celery (worker, beat) all run from this one image.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

COPY requirements.txt .
RUN pip install -r requirements.txt

# The product only: .dockerignore leaves out bench/, tests/, conftest.py and docs/ (tests/test_docker_context.py).
COPY . .

# collectstatic needs settings to load; these build-time values are never used at run time.
RUN DEBUG=0 SECRET_KEY=build-only-not-secret FIELD_ENCRYPTION_KEY=ZGV2LW9ubHktcmVzb2x1dGlvbmZsb3ctZmVybmV0ayE= \
    python manage.py collectstatic --noinput \
 && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin resolutionflow \
 && chown -R resolutionflow:resolutionflow /app

USER resolutionflow
EXPOSE 8000

HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"

CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "--proxy-headers", "--websocket_timeout", "-1", "resolutionflow.asgi:application"]
