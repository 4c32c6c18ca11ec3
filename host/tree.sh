#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Produce the kernel source tree the build uses:
#
#   $PRISTINE  Debian's linux-source-6.12, extracted once, never written to
#   $KTREE     pristine + kernel/patches/series + kernel/src
#
# The overlay (every file a patch touches, plus every file of kernel/src) is
# computed from pristine in a scratch directory each time, so the series is
# always applied in full to pristine files: there is no half-applied state,
# and a patch that does not apply leaves $KTREE as it was.  Only files whose
# content differs are then written into $KTREE (files dropped from the
# overlay go back to pristine), so make sees new mtimes on exactly the files
# that changed and rebuilds incrementally.
. "$(dirname "$0")/lib.sh"

PATCHES=$TOP/kernel/patches
SRC=$TOP/kernel/src
MANIFEST=$KTREE/.overlay-files

extract_pristine() {
	local want have stamp=$BUILD/pristine/.deb-version
	[ -r "$KSRC_TARBALL" ] || die "$KSRC_TARBALL not found (is $KSRC_PKG installed?)"
	have=$(dpkg-query -W -f='${Version}' "$KSRC_PKG")
	want=$(cat "$KVER_FILE")
	if [ "$have" != "$want" ]; then
		warn "$KSRC_PKG is $have, but this project was last tested with $want ($KVER_FILE)"
	fi
	if [ -d "$PRISTINE" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$have" ]; then
		return 0
	fi
	step "Extracting $KSRC_PKG $have (once)"
	[ -d "$BUILD/pristine" ] && chmod -R u+w "$BUILD/pristine"
	rm -rf "$BUILD/pristine" "$KTREE"
	mkdir -p "$BUILD/pristine"
	tar -C "$BUILD/pristine" -xJf "$KSRC_TARBALL"
	[ -f "$PRISTINE/Makefile" ] || die "unexpected layout in $KSRC_TARBALL"
	chmod -R a-w "$PRISTINE"
	echo "$have" >"$stamp"
}

# The series, in order, without comments and blank lines.
series() {
	[ -f "$PATCHES/series" ] || return 0
	sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$PATCHES/series"
}

# Files a patch names (git-style a/ b/ prefixes, -p1).
patch_files() {
	awk '/^(---|\+\+\+) / {
		f = $2; sub(/\t.*/, "", f)
		if (f == "/dev/null") next
		sub(/^[^\/]*\//, "", f); print f
	}' "$1"
}

build_stage() {
	local p f
	rm -rf "$STAGE"
	mkdir -p "$STAGE"
	# Seed the scratch tree with the pristine version of every patched file.
	series | while read -r p; do
		[ -f "$PATCHES/$p" ] || die "kernel/patches/series names $p, which does not exist"
		patch_files "$PATCHES/$p"
	done | sort -u | while read -r f; do
		if [ -f "$PRISTINE/$f" ]; then
			mkdir -p "$STAGE/$(dirname "$f")"
			cp "$PRISTINE/$f" "$STAGE/$f"
			chmod u+w "$STAGE/$f"
		fi
	done
	series | while read -r p; do
		if ! out=$(patch -d "$STAGE" -p1 --forward --fuzz=0 --batch \
				--no-backup-if-mismatch -r - -s <"$PATCHES/$p" 2>&1); then
			printf '%s\n' "$out" >&2
			die "patch kernel/patches/$p does not apply to $KSRC_PKG $(cat "$BUILD/pristine/.deb-version")"
		fi
	done
	if [ -d "$SRC" ]; then
		(cd "$SRC" && find . -type f ! -name '*~' -print0 | cpio -0 -pdm --quiet "$STAGE")
	fi
	(cd "$STAGE" && find . -type f | sed 's|^\./||' | LC_ALL=C sort) >"$STAGE.files"
}

sync_tree() {
	local f want
	if [ ! -f "$MANIFEST" ]; then
		step "Creating the working kernel tree"
		rm -rf "$KTREE"
		cp -a "$PRISTINE" "$KTREE"
		chmod -R u+w "$KTREE"
		: >"$MANIFEST"
	fi
	local changed=0
	while read -r f; do
		if [ -f "$STAGE/$f" ]; then
			want=$STAGE/$f
		elif [ -f "$PRISTINE/$f" ]; then
			want=$PRISTINE/$f
		else
			info "removed $f"
			rm -f "$KTREE/$f"
			changed=$((changed + 1))
			continue
		fi
		if ! cmp -s "$want" "$KTREE/$f"; then
			mkdir -p "$KTREE/$(dirname "$f")"
			cp "$want" "$KTREE/$f.tmp.$$"
			chmod u+w "$KTREE/$f.tmp.$$"
			mv -f "$KTREE/$f.tmp.$$" "$KTREE/$f"
			info "updated $f"
			changed=$((changed + 1))
		fi
	done < <(LC_ALL=C sort -u "$MANIFEST" "$STAGE.files")
	cp "$STAGE.files" "$MANIFEST"
	[ $changed = 0 ] || info "$changed file(s) of the kernel tree changed"
}

extract_pristine
build_stage
sync_tree
