#!/usr/bin/env bash
# Rewrites the settings table of docs/configuration.md from the declarations in
# Sources/ArgusServer/Configuration/ServerSettings.swift (`argus config --markdown`).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
swift build --product argus >/dev/null 2>&1 || swift build --product argus
table="$(.build/debug/argus config --markdown)"
python3 - "$table" <<'PY'
import sys
path = "docs/configuration.md"
text = open(path).read()
begin = text.index("<!-- settings table:")
begin = text.index("\n", begin) + 1
end = text.index("<!-- end of settings table -->")
open(path, "w").write(text[:begin] + sys.argv[1] + "\n" + text[end:])
PY
