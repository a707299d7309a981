"""The address of a team database from what File ▸ Connect to a team database… asks: the server (a host
name, host:port, or the folder of a unix socket), the database and the user. No password: libpq reads
~/.pgpass itself, or the system keyring gives one (db.team_password)."""

from sqlalchemy.engine import URL, make_url

from db.errors import DatabaseError


def address(server: str, database: str, user: str) -> str:
    """postgresql://USER@HOST[:PORT]/DATABASE (a socket folder goes in ?host=); DatabaseError says which
    field is wrong."""
    server, database, user = server.strip(), database.strip(), user.strip()
    if not database:
        raise DatabaseError("Name the database on the server (Database); for example accord.")
    if not user:
        raise DatabaseError("Name the user to connect as (User): your database role.")
    host, port, query = server or None, None, {}
    if server.startswith("/"):
        host, query = None, {"host": server}
    elif server.count(":") == 1:  # host:port (an IPv6 address has more colons: typed without a port)
        host, _, typed = server.partition(":")
        if not typed.isdigit() or not 0 < int(typed) < 65536:
            raise DatabaseError(f"The server's port {typed!r} is not a number from 1 to 65535; write HOST:PORT, e.g. db.example.org:5432.")
        port = int(typed)
    url = URL.create("postgresql", username=user, host=host, port=port, database=database, query=query)
    return url.render_as_string(hide_password=False)


def with_password(remembered: str, password: str | None) -> str:
    """The address to connect with: the remembered one, plus the password for this connection only."""
    if not password:
        return remembered
    return make_url(remembered).set(password=password).render_as_string(hide_password=False)
