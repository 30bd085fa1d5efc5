#!/usr/bin/env bash
# The real-editor test: headless Neovim (Debian's package) with its built-in
# LSP client attached to `verdikt lsp` on a copy of the shipped rules, one
# file broken. Checks the diagnostics, a hover and a go-to-definition.
# Installs Neovim when it is missing; exits non-zero when anything fails.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if ! command -v nvim >/dev/null; then
  echo "editors/nvim/test.sh: installing neovim" >&2
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo -n"; fi
  if ! { $sudo apt-get install -y neovim >/dev/null 2>&1 \
         || { $sudo apt-get update >/dev/null 2>&1 && $sudo apt-get install -y neovim >/dev/null 2>&1; }; }; then
    echo "editors/nvim/test.sh: cannot install neovim (apt-get install -y neovim failed); install it and run again" >&2
    exit 1
  fi
fi

(cd "$root" && cargo build --quiet)
verdikt="$root/target/debug/verdikt"

rules="$(mktemp -d)"
trap 'rm -rf "$rules"' EXIT
cp "$root"/tests/fixtures/reference/rules/*.vk "$rules"/
# The broken file: a misspelt field.
sed -i '0,/store\.rating >= 4\.8/s//store.ratng >= 4.8/' "$rules/10-limit_adjustment.vk"
grep -q 'store.ratng' "$rules/10-limit_adjustment.vk"

export VERDIKT="$verdikt" RULES="$rules" HERE="$here"
if ! timeout 120 nvim --headless --clean -c "luafile $here/test.lua" </dev/null; then
  echo "editors/nvim/test.sh: FAILED (Neovim did not show what verdikt lsp should give)" >&2
  exit 1
fi
