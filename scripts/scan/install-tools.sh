#!/usr/bin/env bash
# The scan's tools (sqlmap and wapiti, or those SCAN_TOOLS names) from Debian: installed when
# missing if we are root, else named with the command that installs them (exit 2, as the scan's).
set -euo pipefail
missing=()
IFS=, read -r -a tools <<< "${SCAN_TOOLS:-sqlmap,wapiti}"
for tool in "${tools[@]}"; do
  tool="${tool// /}"
  case "$tool" in sqlmap | wapiti) command -v "$tool" > /dev/null || missing+=("$tool") ;; esac
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "[scan] ${missing[*]} not found. Install them from Debian: sudo apt-get install -y ${missing[*]}" >&2
  exit 2
fi
echo "[scan] installing ${missing[*]} with apt-get"
export DEBIAN_FRONTEND=noninteractive
# A fresh container has no package lists yet.
apt-get install -y "${missing[@]}" || { apt-get update && apt-get install -y "${missing[@]}"; }
