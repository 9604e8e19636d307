#!/usr/bin/env bash
# Build the project.
build() {
  compile_all "$@"
}

# Run the tests.
function run_tests {
  build
}
