# Shared by scripts/run and scripts/test (sourced, not run): the virtualenv and .env that
# both need. Expects the current directory to be the repository root.

PYTHON="${PYTHON:-python3}"
VENV_PYTHON=".venv/bin/python"

# Creates .venv when missing and installs a requirements file into it. A stamp in .venv
# records the hash of the requirement files, so pip runs again only after they change.
ensure_venv() {
    local requirements="$1"
    local stamp=".venv/.installed-${requirements%.txt}"
    local wanted
    wanted="$(cat requirements.txt "$requirements" | sha256sum | cut -d' ' -f1)"
    if [ ! -x "$VENV_PYTHON" ]; then
        "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
            echo "Python 3.11 or newer is needed; $PYTHON is $("$PYTHON" --version 2>&1)." >&2
            exit 1
        }
        echo "Creating the virtual environment in .venv ..."
        "$PYTHON" -m venv .venv
    fi
    if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
        echo "Installing $requirements into .venv ..."
        "$VENV_PYTHON" -m pip install --quiet --disable-pip-version-check -r "$requirements"
        echo "$wanted" > "$stamp"
    fi
}

# A developer's settings live in .env (read by bartim/settings.py); written once, with a
# fresh secret key, and never overwritten, so a developer's own changes stay.
ensure_env() {
    if [ ! -f .env ]; then
        echo "Writing .env (DEBUG=1 and a new SECRET_KEY) ..."
        (
            umask 077
            "$VENV_PYTHON" - > .env <<'PY'
import secrets
print("DEBUG=1")
print(f"SECRET_KEY={secrets.token_urlsafe(50)}")
PY
        )
    fi
}
