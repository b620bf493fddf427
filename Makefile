# Everyday verbs. `make run` and `make test` are the README's two commands (they call dev.py,
# which needs nothing but Python).
PY := .venv/bin/python

.PHONY: run test install lint format typecheck migrations-check check-deploy worker beat ci bench-import bench-metrics screenshots

run:
	python3 dev.py run

test:
	python3 dev.py test

install:
	python3 dev.py install

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format:
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

typecheck:
	.venv/bin/mypy .

migrations-check:
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run

check-deploy:
	SECRET_KEY=$$(head -c 48 /dev/urandom | base64) ALLOWED_HOSTS=coopdesk.example.com \
	  DJANGO_SETTINGS_MODULE=config.settings.production $(PY) manage.py check --deploy --fail-level WARNING

worker:
	.venv/bin/celery -A config worker --loglevel=INFO

beat:
	.venv/bin/celery -A config beat --loglevel=INFO -s var/celerybeat-schedule

ci:
	bash .ci/run
