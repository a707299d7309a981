"""A throwaway PostgreSQL server for the tests: a cluster in a temporary folder that listens only on a
unix socket inside that folder, so nothing outside the test run can reach it and two runs never clash.

initdb and postgres refuse to run as root; as root (CI, the fresh-machine check) both run as the
`postgres` account that Debian's postgresql package creates, and the folder is handed to it.
"""

import glob
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

# Any number will do: it only names the socket file (.s.PGSQL.<port>) inside the cluster's own folder.
PORT = 5432
# The test cluster keeps nothing worth a crash-safe write; this makes it several times faster.
SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off", "listen_addresses=")


class PostgresMissing(RuntimeError):
    pass


def server_programs() -> Path:
    """The folder holding initdb and postgres: Debian keeps them out of PATH, under /usr/lib/postgresql."""
    on_path = shutil.which("initdb")
    if on_path:
        return Path(os.path.realpath(on_path)).parent
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[4]))
    if not found:
        raise PostgresMissing(
            "PostgreSQL's server is not installed, so the PostgreSQL tests cannot run; install it with "
            "'apt-get install postgresql' (Debian) and run the tests again."
        )
    return Path(found[-1]).parent


@dataclass
class Cluster:
    folder: Path
    programs: Path
    process: subprocess.Popen | None = None

    @property
    def socket_folder(self) -> Path:
        return self.folder

    def url(self, database: str = "postgres", user: str = "postgres") -> str:
        """A libpq address for the cluster's socket (no password: the cluster trusts local connections)."""
        return f"postgresql://{quote(user)}@/{quote(database)}?host={quote(str(self.folder))}&port={PORT}"

    def psql(self, sql: str, database: str = "postgres", user: str = "postgres") -> str:
        result = subprocess.run(
            ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", self.url(database, user), "-c", sql],
            capture_output=True, text=True, check=True,
        )
        return result.stdout

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: postgres's "smart" shutdown
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def _as_server_account(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def start() -> Cluster:
    """A new cluster, started and accepting connections; stop() removes it and its folder."""
    programs = server_programs()
    folder = Path(tempfile.mkdtemp(prefix="accord-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data = folder / "data"
    subprocess.run(
        _as_server_account([str(programs / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                            "--encoding=UTF8", "--locale=C", "--no-sync"]),
        check=True, capture_output=True,
    )
    command = [str(programs / "postgres"), "-D", str(data), "-k", str(folder), "-p", str(PORT)]
    for setting in SETTINGS:
        command += ["-c", setting]
    cluster = Cluster(folder, programs)
    with open(folder / "server.log", "wb") as log:
        cluster.process = subprocess.Popen(_as_server_account(command), stdout=subprocess.DEVNULL, stderr=log)
    ready = [str(programs / "pg_isready"), "-q", "-h", str(folder), "-p", str(PORT)]
    for _ in range(300):
        if subprocess.run(ready).returncode == 0:
            return cluster
        if cluster.process.poll() is not None:
            break
        subprocess.run(["sleep", "0.1"])
    log = (folder / "server.log").read_text(errors="replace")
    cluster.stop()
    raise PostgresMissing(f"The test PostgreSQL server did not start:\n{log}")
