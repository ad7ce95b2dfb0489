#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# tests/adversarial/mutate.sh [--fast] [NAME...] - do the tests notice a
# weaker XDP program? Each mutation below loosens one rule of
# bpf/gate511.bpf.c (or of the headers it includes, gate511_tc.h and
# gate511_dns.h: the sed runs over the copies of all three) with sed, in a
# copy built in a temp dir; the copy is
# run through build/tests/xdp_table (BPF_PROG_RUN table) and, unless
# --fast, through the adversarial group that covers the rule, with the
# mutant attached over the test bed's program (G511_ADV_OBJ). A mutation
# is "caught" when at least one case fails; one that is not caught means
# the suite would let that weakening ship. Not numbered: make check does
# not run it (it takes minutes). Ends with "RESULT: caught N passed ...".
set -u
cd "$(dirname "$0")/../.."
ROOT=$PWD
fast=0
if [ "${1:-}" = --fast ]; then fast=1; shift; fi

# name | adversarial group | sed expressions (separated by " @@ ")
MUTATIONS=(
"pass_fragments|10_evasion.sh|s/if (p.frag) {/if (0 \&\& p.frag) {/ @@ s/if (nexthdr == IPPROTO_FRAGMENT)/if (0)/"
"ext_header_bound_16|10_evasion.sh|s/i < G511_MAX_IPV6_EXTHDRS; i++/i < 16; i++/"
"all_vlan_depths|10_evasion.sh|s/if (i == G511_MAX_VLAN_TAGS)/if (0)/"
"pass_ra|20_identity.sh|s/err = G511_STAT_DROP_RA;/*stat = G511_STAT_PASS_ND; return XDP_PASS;/"
"skip_mac_binding|20_identity.sh|s/if ((g->flags \& G511_GRANT_F_MAC_BOUND) \&\&/if (0 \&\&/"
"dns_anywhere|10_evasion.sh|s/if (cfg->dns_policy == G511_DNS_ANY ||/if (1 ||/"
"dhcp_anywhere|10_evasion.sh|s/if (dst_is_dhcp_server(\&p, cfg)) {/if (1) {/"
"nd_off_link|10_evasion.sh|s/dst_is_on_link(\&p, cfg)) {/1) {/"
"v4_mapped_source|20_identity.sh|s/^\tif (addr_is_v4(\&p->src))$/\tif (0)/"
"bogus_sources|20_identity.sh|s/if (src_is_bogus(\&p.src)) {/if (0) {/"
"gateway_source|20_identity.sh|s/if (addr_in_list(\&p.src, cfg->local_addrs, cfg->n_local_addrs)) {/if (0) {/"
"client_nets_off|20_identity.sh|s/!g511_src_in_client_nets(\&p.src, cfg)/0/"
"capport_any_port|10_evasion.sh|s/p->dport == cfg->capport_port \&\& //"
"capport_any_addr|10_evasion.sh|s/ \&\& addr_eq(\&p->dst, \&cfg->capport_addr)//"
"capport_udp|10_evasion.sh|s/cfg->capport_port \&\& p->l4_proto == IPPROTO_TCP \&\&/cfg->capport_port \&\&/"
"rate_up_off|40_faults.sh|s/if (g->rate_up_bps \&\& !rate_up_take(g, len, now))/if (0)/"
"quota_off|40_faults.sh|s/if (g->quota_bytes \&\& g->bytes + g->bytes_down >= g->quota_bytes) {/if (0) {/"
"dns_untrusted_source|20_identity.sh|s/if (!dns_trusted(skb, t, cfg)) {/if (0) {/"
"dns_hairpin|20_identity.sh|s/if (skb->ingress_ifindex == skb->ifindex)/if (0)/"
"dns_fragments|10_evasion.sh|s/(iph->frag_off \& bpf_htons(G511_IP_MF | G511_IP_OFFSET))) {/0) {/"
"dns_ptr_any_direction|10_evasion.sh|s/if (ptr >= w->min_ptr || ++w->hops > DNS_MAX_HOPS) {/if (++w->hops > DNS_MAX_HOPS) {/"
"gdns_no_expiry|40_faults.sh|s/if (now_boot_ns(cfg) >= val->expires_ns)/if (0)/"
"resolver_source_xdp|20_identity.sh|s/g511_src_is_resolver(\&p.src)) {/0) {/"
"redirect_fail_open|40_faults.sh|s/ctx->rx_queue_index, XDP_DROP)/ctx->rx_queue_index, XDP_PASS)/ @@ s/return act == XDP_REDIRECT ? XDP_REDIRECT : XDP_DROP;/return act;/"
)

want() { [ $# -eq 0 ] && return 0; local n; for n in "$@"; do [ "$n" = "$NAME" ] && return 0; done; return 1; }

if [ ! -x build/tests/xdp_table ]; then
	echo "build/tests/xdp_table not built (make test-build)"
	echo "RESULT: 0 passed, 1 failed, 0 skipped"
	exit 1
fi
TMP=$(mktemp -d /tmp/g511mut.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
ARCH_INC=/usr/include/$(${CC:-cc} -dumpmachine)
caught=0 missed=0 broken=0
summary=()
declare -A BASE_FAILS=()	# failures of the unmutated group (known bugs)

for m in "${MUTATIONS[@]}"; do
	NAME=${m%%|*}; rest=${m#*|}; group=${rest%%|*}; exprs=${rest#*|}
	want "$@" || continue
	mkdir -p "$TMP/$NAME"
	src=$TMP/$NAME/gate511.bpf.c obj=$TMP/$NAME.bpf.o
	cp bpf/gate511.bpf.c bpf/gate511_tc.h bpf/gate511_dns.h "$TMP/$NAME/"
	while [ -n "$exprs" ]; do
		e=${exprs%% @@ *}
		sed -i "$e" "$src" "$TMP/$NAME/gate511_tc.h" "$TMP/$NAME/gate511_dns.h"
		[ "$e" = "$exprs" ] && break
		exprs=${exprs#* @@ }
	done
	if diff -qr bpf "$TMP/$NAME" 2>/dev/null | grep -q differ; then :; else
		echo "== $NAME: the sed expression matched nothing (the source moved?)"
		broken=$((broken + 1)); summary+=("$NAME: NOT APPLIED"); continue
	fi
	echo "== $NAME"
	for f in gate511.bpf.c gate511_tc.h gate511_dns.h; do
		diff -u "bpf/$f" "$TMP/$NAME/$f"
	done | grep '^[-+][^-+]' | sed 's/^/   /'
	# a helper the mutation made unused is no reason to refuse it
	if ! clang -g -O2 --target=bpf -Wall -Werror -Wno-unused-function -Iinclude -Ibpf -I"$ARCH_INC" -c "$src" -o "$obj" \
		2>"$TMP/$NAME.cc"; then
		echo "   does not build:"; sed 's/^/   /' "$TMP/$NAME.cc" | head -5
		broken=$((broken + 1)); summary+=("$NAME: DOES NOT BUILD"); continue
	fi
	xt=$(build/tests/xdp_table "$obj" 2>&1)
	xf=$(echo "$xt" | sed -n 's/^RESULT: [0-9]* passed, \([0-9]*\) failed.*/\1/p')
	echo "   xdp_table: $(echo "$xt" | grep '^RESULT')"
	echo "$xt" | grep '^FAIL' | head -4 | sed 's/^/     /'
	ef=-
	if [ $fast = 0 ]; then
		# the group's own failures without a mutation (known bugs) do not count
		if [ -z "${BASE_FAILS[$group]:-}" ]; then
			"tests/adversarial/$group" > "$TMP/base.$group" 2>&1
			BASE_FAILS[$group]=$(sed -n 's/^RESULT: [0-9]* passed, \([0-9]*\) failed.*/\1/p' \
				"$TMP/base.$group")
			sed -n 's/^FAIL \([^:]*\).*/\1/p' "$TMP/base.$group" > "$TMP/base.$group.names"
		fi
		et=$(G511_ADV_OBJ=$obj "tests/adversarial/$group" 2>&1)
		ef=$(echo "$et" | sed -n 's/^RESULT: [0-9]* passed, \([0-9]*\) failed.*/\1/p')
		echo "   $group: $(echo "$et" | grep '^RESULT') (unmutated: ${BASE_FAILS[$group]} failed)"
		echo "$et" | grep '^FAIL' | grep -vF -f "$TMP/base.$group.names" | head -6 |
			cut -c1-150 | sed 's/^/     /'
		ef=$(( ${ef:-0} - ${BASE_FAILS[$group]:-0} ))
	fi
	if [ "${xf:-0}" -gt 0 ] || { [ "$ef" != - ] && [ "$ef" -gt 0 ]; }; then
		caught=$((caught + 1)); summary+=("$NAME: caught (xdp_table $xf fail, $group ${ef} more fail)")
	else
		missed=$((missed + 1)); summary+=("$NAME: MISSED (xdp_table $xf fail, $group ${ef} more fail)")
	fi
done

echo
printf '%s\n' "${summary[@]}"
echo "RESULT: $caught passed, $((missed + broken)) failed, 0 skipped"
[ $((missed + broken)) -eq 0 ]
