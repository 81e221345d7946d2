#!/bin/sh
# Fails on calls STYLE.md rule 20 bans: sprintf, strcpy, strcat, strtok,
# atoi/atol, gets; the allocating string calls (strdup, strndup, asprintf,
# vasprintf: xstrdup, xstrndup, xasprintf, xvasprintf abort on OOM
# instead) and strncpy/strncat/stpcpy (silent truncation, or none of the
# NUL); raw malloc/calloc/realloc outside xalloc.c; and an array grown by
# hand: xreallocarray outside xalloc.c, where growth goes through
# xgrowarray, xgrowroom or xgrowto (bot/xalloc.h), which double and are
# capped.  Comment lines are not code.
cd "$(dirname "$0")/.." || exit 1
comment='^\S+:[0-9]+:\s*(/\*|\*)'
bad=$(grep -nE '\b(sprintf|vsprintf|strcpy|strcat|strtok|atoi|atol|gets|strdup|strndup|asprintf|vasprintf|strncpy|strncat|stpcpy|stpncpy)\s*\(' \
	bot/*.c bot/*.h tests/unit/*.c | grep -v '^bot/xalloc.c:' | grep -vE "$comment")
raw=$(grep -nE '(^|[^_a-z])(malloc|calloc|realloc)\s*\(' bot/*.c | grep -v '^bot/xalloc.c:' | grep -vE "$comment")
# Growth by hand.
grow=$(grep -nE '\bx?reallocarray\s*\(' bot/*.c bot/*.h tests/unit/*.c | grep -vE '^bot/xalloc\.[ch]:' |
	grep -vE "$comment")
if [ -n "$bad$raw$grow" ]; then
	echo "check-style: banned calls (STYLE.md rule 20):"
	printf '%s\n%s\n' "$bad" "$raw" | sed '/^$/d; s/^/  /'
	[ -z "$grow" ] || printf '%s\n' "$grow" | sed 's/^/  array grown by hand (use xgrowarray, xgrowroom or xgrowto): /'
	exit 1
fi
echo "check-style: ok"
