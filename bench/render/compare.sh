#!/usr/bin/env bash
# compare.sh — time `kubectl kustomize` and pkg/render on the same
# 2,000-object overlay (render_test.go builds the tree from
# /work/shared/bench/gen-objects.py) and print the ratio.
#
#   bench/render/compare.sh                      # RUNS=5
#   RUNS=9 KUBECTL=/path/to/kubectl bench/render/compare.sh
#
# Each run is one fresh process per side, interleaved (kubectl, render,
# render with origins) so that load from other work hits all alike; the
# medians are compared. Wall time and CPU time (user+sys) are shown; on a
# shared, busy machine the CPU ratio is the meaningful one.
# pkg/render builds against the patched kustomize api in
# third_party/kustomize-api (see its PATCHES.md); kubectl is upstream.
# Target: render within 1.2x of kubectl kustomize.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
kubectl=${KUBECTL:-${GITWARD_TOOLS_BIN:-$repo/.cache/bin}/kubectl}
runs=${RUNS:-5}
[ -x "$kubectl" ] || { echo "compare.sh: no kubectl at $kubectl (run 'make tools')" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "compare.sh: needs /usr/bin/time" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$repo"
go test -c -o "$work/bench.test" ./bench/render/
mkdir "$work/tree"
"$work/bench.test" -test.run "^TestWriteTree\$" -tree="$work/tree" >/dev/null 2>&1

median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
# bench SUB: run BenchmarkRender2000/SUB once; append seconds to files
bench() {
	"$work/bench.test" -test.run '^$' -test.bench "^BenchmarkRender2000/$1\$" -test.benchtime 1x 2>/dev/null |
		awk -v w="$work/$1.wall" -v c="$work/$1.cpu" '/^BenchmarkRender2000/ {
			for (i = 2; i <= NF; i++) {
				if ($i == "ns/op") print $(i-1)/1e9 >>w
				if ($i == "cpu-ns/op") print $(i-1)/1e9 >>c
			}}'
}

for _ in $(seq "$runs"); do
	/usr/bin/time -f "%e %U %S" -o "$work/t" "$kubectl" kustomize "$work/tree/overlay" >"$work/kubectl.yaml" 2>/dev/null
	awk '{print $1 >>"'"$work/kubectl.wall"'"; print $2+$3 >>"'"$work/kubectl.cpu"'"}' "$work/t"
	bench default
	bench origins
done

parity="byte-identical"
for f in render.yaml render-origins.yaml; do
	cmp -s "$work/kubectl.yaml" "$work/tree/$f" || parity="DIFFERENT ($f)"
done
k_wall=$(median <"$work/kubectl.wall")
k_cpu=$(median <"$work/kubectl.cpu")

printf 'objects: 2001 (gen-objects.py 2000 + a Namespace); overlay: namePrefix, commonLabels, images, patch\n'
printf 'render.Dir output (default and origins) vs kubectl kustomize: %s\n' "$parity"
printf 'medians of %s interleaved runs, load average %s\n' "$runs" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-28s %8s %8s\n' "" "wall s" "cpu s"
printf '%-28s %8.2f %8.2f\n' "kubectl kustomize" "$k_wall" "$k_cpu"
for sub in default origins; do
	w=$(median <"$work/$sub.wall"); c=$(median <"$work/$sub.cpu")
	printf '%-28s %8.2f %8.2f   ratio: wall %.2fx, cpu %.2fx\n' "render.Dir ($sub)" "$w" "$c" \
		"$(awk -v a="$w" -v b="$k_wall" 'BEGIN {print a/b}')" "$(awk -v a="$c" -v b="$k_cpu" 'BEGIN {print a/b}')"
done
[ "$parity" = byte-identical ]
