#!/bin/sh
# What CI runs for this policy. Any CI with `verdikt` on its PATH can call
# this file; in GitHub Actions, a step `run: sh ci/verdikt.sh`.
set -eu
verdikt fmt --check
verdikt check --deny-warnings
verdikt test --deny-warnings
