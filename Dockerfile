# The AssetLife image: web (gunicorn), Celery worker and beat all run from it.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    ASSETLIFE_VAR_DIR=/var/lib/assetlife

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
RUN useradd --system --home-dir /app --shell /usr/sbin/nologin assetlife \
    && mkdir -p /var/lib/assetlife \
    && chown -R assetlife /var/lib/assetlife
USER assetlife

EXPOSE 8000
CMD ["gunicorn", "assetlife.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
