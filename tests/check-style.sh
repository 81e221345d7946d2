#!/bin/sh
# Fails on calls STYLE.md rule 20 bans: sprintf, strcpy, strcat, strtok,
# atoi/atol, gets, and raw malloc/calloc/realloc outside xalloc.c.
cd "$(dirname "$0")/.." || exit 1
bad=$(grep -nE '\b(sprintf|vsprintf|strcpy|strcat|strtok|atoi|atol|gets)\s*\(' bot/*.c bot/*.h tests/unit/*.c |
	grep -vE '^\S+:[0-9]+:\s*(/\*|\*)')
raw=$(grep -nE '(^|[^_a-z])(malloc|calloc|realloc)\s*\(' bot/*.c | grep -v '^bot/xalloc.c:' |
	grep -vE '^\S+:[0-9]+:\s*(/\*|\*)')
if [ -n "$bad$raw" ]; then
	echo "check-style: banned calls (STYLE.md rule 20):"
	printf '%s\n%s\n' "$bad" "$raw" | sed '/^$/d; s/^/  /'
	exit 1
fi
echo "check-style: ok"
