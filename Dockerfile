# Image of the maturity portal: the web server and the Celery workers.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PORTAL_DATA_DIR=/var/lib/portal \
    STATIC_ROOT=/app/staticfiles

# WeasyPrint needs Pango; HarfBuzz's subsetter keeps font embedding fast, a
# CJK font renders the standard's Chinese text in the PDF reports and an
# emoji font the emoji people type into their answers.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
        libmagic1 fonts-noto-cjk fonts-noto-color-emoji curl \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system portal && useradd --system --gid portal --home /app portal

WORKDIR /app
COPY . .
RUN pip install . && mkdir -p /var/lib/portal && chown -R portal:portal /var/lib/portal

USER portal
# Collected with the production storage, which writes the manifest of hashed
# names the running container looks static files up in.
RUN DEBUG=false SECRET_KEY=build-only-not-a-secret ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput

EXPOSE 8000
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
