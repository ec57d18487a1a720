/* SPDX-License-Identifier: MIT */
/* First include of every library source file (like curl_setup.h / libgit2's common.h). */
#ifndef PKIWS_INTERNAL_H
#define PKIWS_INTERNAL_H

#include "pkiws_config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <pkiws/pkiws.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/str.h"

#define PKIWS_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
