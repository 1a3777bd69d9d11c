"""The embedded server behaves like a company server where it matters."""

from __future__ import annotations

import psycopg2
import pytest

from client.cli.main import main
from client.embedded.server import EmbeddedServer


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = EmbeddedServer(tmp_path_factory.mktemp("embedded") / "server")
    yield srv
    srv.destroy()


def test_start_is_idempotent_and_status_reports_it(server):
    first = server.start()
    again = server.start()
    assert first.running and again.running and first.port == again.port
    assert server.is_running()


def test_superuser_only_over_the_local_socket(server):
    info = server.start()
    conn = psycopg2.connect(**info.superuser_params())
    with conn.cursor() as cur:
        cur.execute("SELECT current_setting('password_encryption'), current_setting('listen_addresses')")
        assert cur.fetchone() == ("scram-sha-256", "127.0.0.1")
        cur.execute("CREATE ROLE probe_user LOGIN PASSWORD 'Probe2026x'")
    conn.commit()
    conn.close()
    # over TCP the superuser is rejected, whatever the password
    with pytest.raises(psycopg2.OperationalError):
        psycopg2.connect(host=info.host, port=info.port, user="postgres", password="postgres", dbname="postgres")
    # ordinary logins use scram-sha-256 passwords over TCP, as on a company server
    with pytest.raises(psycopg2.OperationalError, match="password authentication failed"):
        psycopg2.connect(host=info.host, port=info.port, user="probe_user", password="wrong", dbname="postgres")
    ok = psycopg2.connect(host=info.host, port=info.port, user="probe_user", password="Probe2026x", dbname="postgres")
    ok.close()


def test_stop_then_status_and_restart_keeps_data(server, capsys):
    data = str(server.base)
    assert main(["server", "stop", "--data", data]) == 0
    assert not server.is_running()
    assert main(["server", "status", "--data", data]) == 3
    assert "未运行" in capsys.readouterr().out
    assert main(["server", "start", "--data", data]) == 0
    out = capsys.readouterr().out
    assert "postgresql://127.0.0.1:" in out
    info = server.info()
    conn = psycopg2.connect(host=info.host, port=info.port, user="probe_user", password="Probe2026x", dbname="postgres")
    conn.close()
