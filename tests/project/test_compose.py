"""docker-compose.yml and the Dockerfile refer to real things (Docker itself cannot run here).

Each service's command is parsed and checked against the code: the WSGI callable
imports, the Celery app and its queues and scheduler are the configured ones, every
``manage.py`` command exists, and every variable handed to the app is one the settings read.
"""

import importlib
import re
import shlex
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import get_commands
from django.utils.module_loading import import_string

ROOT = Path(__file__).resolve().parents[2]
WORKERS = ("worker-default", "worker-metrics", "worker-email")
APP_SERVICES = ("migrate", "web", *WORKERS, "beat")


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose):
    return compose["services"]


def argv(service: dict) -> list[str]:
    command = service["command"]
    return shlex.split(command) if isinstance(command, str) else list(command)


def option(args: list[str], name: str) -> str | None:
    """The value of ``--name=value`` or ``--name value`` in an argument list."""
    for index, arg in enumerate(args):
        if arg.startswith(f"{name}="):
            return arg.split("=", 1)[1]
        if arg == name:
            return args[index + 1]
    return None


def test_the_stack_has_every_service(services):
    assert set(services) == {"postgres", "redis", *APP_SERVICES}


def test_postgres_is_16_with_a_volume_and_a_healthcheck(compose, services):
    postgres = services["postgres"]
    assert postgres["image"] == "postgres:16"
    volume = postgres["volumes"][0].split(":")
    assert volume[1] == "/var/lib/postgresql/data" and volume[0] in compose["volumes"]
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])


def test_redis_has_a_healthcheck(services):
    assert services["redis"]["image"].startswith("redis:")
    assert services["redis"]["healthcheck"]["test"][-2:] == ["redis-cli", "ping"]


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_run_in_production_mode_on_postgres_and_redis(services, name):
    service = services[name]
    environment = service["environment"]
    assert environment["ASSETLIFE_ENV"] == "production"
    assert environment["DEBUG"] == "false"
    assert environment["DATABASE_URL"].startswith("postgres://")
    assert environment["CELERY_BROKER_URL"].startswith("redis://redis:")
    assert environment["SECRET_KEY"].startswith("${SECRET_KEY:?")  # compose refuses to start without one
    for dependency in ("postgres", "redis"):
        assert service["depends_on"][dependency] == {"condition": "service_healthy"}


@pytest.mark.parametrize("name", ["web", *WORKERS, "beat"])
def test_long_running_services_wait_for_the_migrations(services, name):
    assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}


def test_every_variable_given_to_the_app_is_read_by_the_settings(services):
    source = (ROOT / "assetlife" / "settings.py").read_text()
    read = set(re.findall(r"""(?:environ\.get|env_bool|env_int|env_list)\(\s*["']([A-Z_]+)["']""", source))
    for name in APP_SERVICES:
        unknown = set(services[name]["environment"]) - read
        assert unknown == set(), f"{name} sets variables the settings never read: {sorted(unknown)}"


def test_migrate_runs_real_management_commands(services):
    command = " ".join(argv(services["migrate"]))
    used = re.findall(r"manage\.py (\S+)", command)
    assert used == ["migrate", "collectstatic"]
    assert set(used) <= set(get_commands())


@pytest.mark.filterwarnings("ignore:No directory at")
def test_web_serves_the_project_wsgi_application_with_gunicorn(services):
    args = argv(services["web"])
    assert args[0] == "gunicorn"
    module, attribute = args[1].split(":")
    assert module == settings.WSGI_APPLICATION.rsplit(".", 1)[0]
    assert callable(getattr(importlib.import_module(module), attribute))
    assert option(args, "--bind") == "0.0.0.0:8000"
    assert services["web"]["ports"][0].endswith(":8000")
    assert "X-Forwarded-Proto" in " ".join(services["web"]["healthcheck"]["test"])


def queues_of_workers(commands: list[list[str]]) -> list[str]:
    """Every queue the worker commands consume, once per worker that consumes it."""
    return [queue for args in commands for queue in option(args, "--queues").split(",")]


def test_every_route_names_a_task_that_exists():
    from assetlife.celery import app

    app.loader.import_default_modules()
    assert set(settings.CELERY_TASK_ROUTES) <= set(app.tasks)


@pytest.mark.parametrize("name", WORKERS)
def test_compose_runs_one_worker_per_queue(services, name):
    args = argv(services[name])
    assert args[:4] == ["celery", "-A", "assetlife", "worker"]
    assert option(args, "--queues") == name.removeprefix("worker-")
    assert option(args, "--hostname") == f"{name.removeprefix('worker-')}@%h"
    app = importlib.import_module(args[2]).celery_app
    assert app.main == "assetlife"


def test_compose_workers_cover_every_queue_once(services):
    queues = queues_of_workers([argv(services[name]) for name in WORKERS])
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    assert sorted(queues) == sorted(routed | {settings.CELERY_TASK_DEFAULT_QUEUE})


def test_beat_uses_the_database_scheduler(services):
    args = argv(services["beat"])
    assert args[:4] == ["celery", "-A", "assetlife", "beat"]
    scheduler = option(args, "--scheduler")
    assert scheduler == settings.CELERY_BEAT_SCHEDULER
    import_string(scheduler.replace(":", "."))


def test_the_dockerfile_builds_on_python_311_slim_from_the_pinned_requirements():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim$", dockerfile, re.MULTILINE)
    assert "pip install -r requirements.txt" in dockerfile
    cmd = re.search(r"^CMD (.+)$", dockerfile, re.MULTILINE).group(1)
    assert "assetlife.wsgi:application" in cmd
    assert (ROOT / "requirements.txt").exists()


def test_the_procfile_runs_web_a_worker_per_queue_and_beat_on_the_port_make_run_gives():
    processes = dict(line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line.strip())
    assert set(processes) == {"web", *WORKERS, "beat"}
    assert "runserver 127.0.0.1:${PORT:-8000}" in processes["web"]
    workers = [shlex.split(processes[name]) for name in WORKERS]
    for name, worker in zip(WORKERS, workers, strict=True):
        assert worker[1:4] == ["-A", "assetlife", "worker"]
        assert option(worker, "--queues") == name.removeprefix("worker-")
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    assert sorted(queues_of_workers(workers)) == sorted(routed | {settings.CELERY_TASK_DEFAULT_QUEUE})
    assert shlex.split(processes["beat"])[1:4] == ["-A", "assetlife", "beat"]
    makefile = (ROOT / "Makefile").read_text()
    assert "-m assetlife.run --port $(PORT)" in makefile  # honcho, on the Procfile (assetlife/run.py)
    assert "manage.py bootstrap" in makefile and "bootstrap" in get_commands()
