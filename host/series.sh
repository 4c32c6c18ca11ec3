#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make series: write out/series/, the LKML form of the work: a cover letter
# and one patch per line of kernel/topics, made with git format-patch
# against the pristine base.
#
# The base is a git repository of the pristine tree, made once (a minute or
# two) and kept in $SERIES_GIT.  The author and Signed-off-by come from the
# git configuration of whoever runs it.
. "$(dirname "$0")/lib.sh"

OUT=${SERIES_OUT:-$TOP/out/series}
TOPICS=$TOP/kernel/topics

"$TOP/host/deps.sh" build
command -v git >/dev/null || die "git is needed (apt-get install git)"
"$TOP/host/tree.sh" >/dev/null

# The topics, without comments: "patch [src path ...]" per line.
topics() { sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$TOPICS"; }

# --- the mapping must cover the series and kernel/src exactly once -------
series_list=$(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$TOP/kernel/patches/series")
topic_list=$(topics | awk '{ print $1 }')
[ "$series_list" = "$topic_list" ] ||
	die "kernel/topics does not list the patches of kernel/patches/series in the same order
series: $(echo $series_list)
topics: $(echo $topic_list)"
while read -r f; do
	hit=""
	while read -r p srcs; do
		for s in $srcs; do
			case $s in
			*/) [[ $f == "$s"* ]] && hit="$hit $p" ;;
			*) [ "$f" = "$s" ] && hit="$hit $p" ;;
			esac
		done
	done < <(topics)
	set -- $hit
	[ $# = 1 ] || die "kernel/src/$f belongs to $# topics in kernel/topics (must be exactly one)"
done < <(cd "$TOP/kernel/src" && find . -type f | sed 's|^\./||' | LC_ALL=C sort)

# --- identity -------------------------------------------------------------
name=$(git -C "$TOP" config user.name || true)
email=$(git -C "$TOP" config user.email || true)
if [ -z "$name" ] || [ -z "$email" ]; then
	warn "no git user.name/user.email configured; using a placeholder identity"
	name="Page Migration Offload Developers"
	email="migrate-offload@localhost"
fi
export GIT_AUTHOR_NAME=$name GIT_AUTHOR_EMAIL=$email
export GIT_COMMITTER_NAME=$name GIT_COMMITTER_EMAIL=$email

# --- the pristine base ----------------------------------------------------
base_ver=$(cat "$BUILD/pristine/.deb-version")
if [ "$(cat "$SERIES_GIT/.git/base-version" 2>/dev/null)" != "$base_ver" ]; then
	step "Making a git repository of the pristine tree (once; a minute or two)"
	rm -rf "$SERIES_GIT"
	mkdir -p "$SERIES_GIT"
	cp -a "$PRISTINE/." "$SERIES_GIT/"
	chmod -R u+w "$SERIES_GIT"
	git -C "$SERIES_GIT" init -q
	# -f: Debian's .gitignore ignores everything at the top level
	git -C "$SERIES_GIT" add -f -A
	GIT_AUTHOR_DATE="2000-01-01T00:00:00Z" GIT_COMMITTER_DATE="2000-01-01T00:00:00Z" \
		git -C "$SERIES_GIT" -c user.name=base -c user.email=base@localhost \
		commit -q -m "Linux $(make -s -C "$PRISTINE" kernelversion) ($KSRC_PKG $base_ver)"
	git -C "$SERIES_GIT" tag -f base >/dev/null
	echo "$base_ver" >"$SERIES_GIT/.git/base-version"
fi

step "Committing the series on the pristine base"
git -C "$SERIES_GIT" checkout -q -f -B series base
git -C "$SERIES_GIT" clean -q -fdx
n=0
while read -r p srcs; do
	n=$((n + 1))
	patch=$TOP/kernel/patches/$p
	msg=$BUILD/series-msg
	# The patch header: "Subject: ..." line, then the body up to "---".
	subject=$(sed -n 's/^Subject: *//p;/^---$/q' "$patch" | head -n1)
	[ -n "$subject" ] || die "kernel/patches/$p has no Subject: line"
	{ echo "$subject"; sed -n '/^Subject:/,/^---$/p' "$patch" | sed '1d;$d'; } >"$msg"
	git -C "$SERIES_GIT" apply --index "$patch" ||
		die "kernel/patches/$p does not apply to the pristine base"
	for s in $srcs; do
		(cd "$TOP/kernel/src" && find "$s" -type f -print0 |
			cpio -0 -pdm --quiet "$SERIES_GIT")
		git -C "$SERIES_GIT" add -f -- "$s"
	done
	git -C "$SERIES_GIT" commit -q -s -F "$msg" ||
		die "could not commit kernel/patches/$p"
	info "[$n] $subject"
done < <(topics)

rm -rf "$OUT"
mkdir -p "$OUT"
git -C "$SERIES_GIT" format-patch -q --cover-letter --thread --base=base \
	-o "$OUT" base..series

# --- the cover letter -----------------------------------------------------
cover=$(ls "$OUT"/0000-cover-letter.patch)
python3 "$TOP/host/cover-letter.py" "$cover" "$TOP/kernel/cover-letter" \
	"$TOP/results/bench.md" "$TOP/README.md" \
	"x86_64=$(arch_build_dir x86_64)/vm/check/summary.txt" \
	"arm64=$(arch_build_dir arm64)/vm/check/summary.txt"
step "Wrote $(ls "$OUT" | wc -l) files to ${OUT#"$TOP"/}/"
