FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY sanctuary ./sanctuary
COPY practice ./practice
COPY research ./research
COPY fixtures ./fixtures
COPY manage.py ./
RUN pip install --no-cache-dir . \
    && DJANGO_SECRET_KEY=build-only DATABASE_URL=postgres://build@localhost/build DJANGO_ALLOWED_HOSTS=build \
       RESEND_API_KEY=build DJANGO_SETTINGS_MODULE=sanctuary.settings.production python manage.py collectstatic --noinput
RUN useradd --system sanctuary
USER sanctuary
EXPOSE 8000
CMD ["sh", "-c", "python manage.py migrate --noinput && gunicorn sanctuary.wsgi:application --config python:sanctuary.gunicorn_conf --access-logfile - --bind 0.0.0.0:8000 --workers 3"]
