# One image for web, worker and beat; installed from requirements.txt exactly as `make run` does.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=tracker.settings.production \
    VAR_DIR=/app/var

WORKDIR /app
COPY requirements.txt ./
RUN pip install --upgrade pip && pip install -r requirements.txt

COPY . .
# Translations and static files are built into the image; the throwaway key only lets settings load.
RUN pybabel -q compile --directory locale --domain django \
 && SECRET_KEY=build-only python manage.py collectstatic --no-input -v 0 \
 && useradd --create-home --uid 1000 tracker \
 && mkdir -p /app/var && chown -R tracker /app/var

USER tracker
EXPOSE 8000
CMD ["gunicorn", "tracker.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "30", "--access-logfile", "-"]
