// SPDX-License-Identifier: Apache-2.0
// The one doctest main, compiled once (object library sinew_doctest_main) and linked into every
// test executable. Run a test binary with --help for doctest's filters (-tc, -ts, -s ...).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
