#!/usr/bin/env bash
# Debian packages Netra needs beyond Python: Pango for WeasyPrint (PDF), chromium for the browser
# tests, poppler-utils to turn PDFs into images for a look. Installs what is missing when run as
# root; otherwise says what to install.
set -euo pipefail
need=()
ldconfig -p 2>/dev/null | grep -q libpango-1.0.so || need+=(libpango-1.0-0 libpangoft2-1.0-0)
fc-list 2>/dev/null | grep -qi dejavu || need+=(fonts-dejavu-core)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v pdftoppm >/dev/null || need+=(poppler-utils)
command -v msgfmt >/dev/null || need+=(gettext)
# make prod-check (run by .ci/run): the reverse proxy, the shared cache, TLS for the proxy.
command -v nginx >/dev/null || need+=(nginx)
command -v redis-server >/dev/null || need+=(redis-server)
command -v openssl >/dev/null || need+=(openssl)
command -v bc >/dev/null || need+=(bc)
command -v curl >/dev/null || need+=(curl)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
else
  echo "WARNING: missing Debian packages: ${need[*]} (install them: sudo apt-get install ${need[*]})" >&2
fi
