#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Turn a file into a C byte array (the built-in catalogue of pkiws-sim): embed.py IN OUT NAME
import sys

src, dst, name = sys.argv[1], sys.argv[2], sys.argv[3]
data = open(src, 'rb').read()
lines = ['/* Generated from %s by embed.py: do not edit. */' % src.split('/')[-1],
         '#include <stddef.h>',
         'extern const unsigned char %s[];' % name,
         'extern const size_t %s_len;' % name,
         'const unsigned char %s[] = {' % name]
for i in range(0, len(data), 16):
    lines.append('    ' + ', '.join('0x%02x' % b for b in data[i:i + 16]) + ',')
lines.append('    0x00};')
lines.append('const size_t %s_len = %d;' % (name, len(data)))
with open(dst, 'w') as f:
    f.write('\n'.join(lines) + '\n')
