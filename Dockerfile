# One image for the web, worker and beat services (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
# The PDF report (WeasyPrint) draws text with Pango; these are what WeasyPrint's documentation lists for Debian.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --system --create-home --home-dir /home/civictrust civictrust

COPY requirements.txt build-constraints.txt ./
RUN python -m pip install --no-cache-dir --upgrade "pip>=25.3" \
 && pip install --no-cache-dir --require-hashes --build-constraint build-constraints.txt -r requirements.txt

COPY . .
RUN pybabel compile -D django -d locale \
 && DEBUG=true python manage.py collectstatic --no-input \
 && mkdir -p /app/private_media && chown civictrust /app/private_media

USER civictrust
EXPOSE 8000
CMD ["gunicorn", "-c", "civictrust/gunicorn_conf.py", "civictrust.wsgi"]
