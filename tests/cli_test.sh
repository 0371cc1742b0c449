#!/usr/bin/env bash
# End-to-end checks of the sframe CLI. Usage: cli_test.sh SFRAME_BINARY DATA_DIR
set -u
sframe=$1
data=$2
failures=0
pass() { :; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

expect_ok() {  # expect_ok NAME EXPECTED_STDOUT CMD...
  local name=$1 want=$2; shift 2
  local got rc=0
  got=$("$@" 2>/tmp/sframe_cli_err.$$) || rc=$?
  if [ "$rc" -ne 0 ]; then
    fail "$name: exit $rc: $(cat /tmp/sframe_cli_err.$$)"; return
  fi
  [ "$got" = "$want" ] || fail "$name: got '$got', want '$want'"
}
expect_error() {  # expect_error NAME STDERR_SUBSTRING CMD...
  local name=$1 want=$2; shift 2
  local out err
  if out=$("$@" 2>/tmp/sframe_cli_err.$$); then
    fail "$name: succeeded, output '$out'"; return
  fi
  err=$(cat /tmp/sframe_cli_err.$$)
  [ "$(printf '%s\n' "$err" | wc -l)" = 1 ] || fail "$name: stderr is not one line: $err"
  case "$err" in *"$want"*) ;; *) fail "$name: stderr '$err' lacks '$want'";; esac
}

# RFC 9605 C.3, suite 4 (AES_128_GCM_SHA256_128).
key=000102030405060708090a0b0c0d0e0f
md=4945544620534672616d65205747
pt=64726166742d696574662d736672616d652d656e63
ct=9901234567b7412c2513a1b66dbb48841bbaf17f598751176ad847681a69c6d0b091c07018ce4adb34eb
grep -q "\"$ct\"" "$data/test-vectors.json" || fail "the suite-4 vector is not in $data/test-vectors.json"

expect_ok "encrypt vector" "$ct" "$sframe" encrypt --suite 4 --key $key --kid 291 --ctr 17767 --metadata $md $pt
expect_ok "encrypt by name" "$ct" "$sframe" encrypt --suite aes128gcm --key $key --kid 0x123 --ctr 17767 --metadata $md $pt
expect_ok "decrypt vector" "$pt" "$sframe" decrypt --suite 4 --key $key --kid 291 --metadata $md $ct
expect_ok "inspect" "$(printf 'kid: 291\nctr: 17767\nheader_length: 5\npayload_length: 37')" "$sframe" inspect $ct

tampered=${ct%?}$( [ "${ct: -1}" = 0 ] && echo 1 || echo 0 )
expect_error "tampered frame" "authentication failed" "$sframe" decrypt --suite 4 --key $key --kid 291 --metadata $md $tampered
expect_error "wrong metadata" "authentication failed" "$sframe" decrypt --suite 4 --key $key --kid 291 $ct
expect_error "wrong kid" "is not --kid" "$sframe" decrypt --suite 4 --key $key --kid 5 --metadata $md $ct
expect_error "short frame" "too short" "$sframe" decrypt --suite 4 --key $key --kid 291 9901234567aabb
expect_error "truncated header" "malformed or truncated" "$sframe" decrypt --suite 4 --key $key --kid 291 99012345
expect_error "empty frame" "empty frame" "$sframe" decrypt --suite 4 --key $key --kid 291 ""
expect_error "bad hex" "not a hex string" "$sframe" encrypt --suite 4 --key $key --kid 1 zz
expect_error "odd hex" "not a hex string" "$sframe" encrypt --suite 4 --key $key --kid 1 abc
expect_error "bad key" "--key" "$sframe" encrypt --suite 4 --key xyz --kid 1 00
expect_error "bad number" "--kid is not" "$sframe" encrypt --suite 4 --key $key --kid -1 00
expect_error "overflow" "--ctr is not" "$sframe" encrypt --suite 4 --key $key --kid 1 --ctr 18446744073709551616 00
expect_error "hex overflow" "--ctr is not" "$sframe" encrypt --suite 4 --key $key --kid 1 --ctr 0x10000000000000000 00
for lax in "0x 5" "0x0x5" "0x+5" "0x5 " "0x" " 5" "+5"; do
  expect_error "lax number '$lax'" "--kid is not" "$sframe" encrypt --suite 4 --key $key --kid "$lax" 00
done
expect_error "unknown suite" "unknown cipher suite" "$sframe" encrypt --suite 9 --key $key --kid 1 00
expect_error "unknown suite name" "unknown cipher suite" "$sframe" encrypt --suite chacha --key $key --kid 1 00
expect_error "inspect malformed" "malformed" "$sframe" inspect 8005
expect_error "unknown command" "unknown command" "$sframe" frobnicate
expect_error "missing option" "missing --kid" "$sframe" encrypt --suite 4 --key $key 00
expect_error "option twice" "--ctr given twice" "$sframe" encrypt --suite 4 --key $key --kid 1 --ctr 5 --ctr 6 00

# Round trip for every suite, with the maximal header.
for s in 1 2 3 4 5 6 7 8; do
  c=$("$sframe" encrypt --suite $s --key $key --kid 18446744073709551615 --ctr 18446744073709551615 abcdef) || fail "encrypt suite $s"
  expect_ok "round trip suite $s" abcdef "$sframe" decrypt --suite $s --key $key --kid 18446744073709551615 "$c"
done

# The vector files.
out=$("$sframe" vectors "$data/test-vectors.json" "$data/test-vectors-aes256.json" "$data/test-vectors-sframe-wg-main.json") || fail "vectors: $out"
[ "$(printf '%s\n' "$out" | tail -n 1)" = "600 passed, 0 failed" ] || fail "vectors summary: $(printf '%s\n' "$out" | tail -n 1)"
echo '{"header": [{"kid": 1, "ctr": 1, "encoded": "12"}]}' > /tmp/sframe_bad_vec.$$.json
expect_error "failing vector" "" "$sframe" vectors /tmp/sframe_bad_vec.$$.json
echo '{"header": ' > /tmp/sframe_bad_vec.$$.json
expect_error "malformed file" "malformed" "$sframe" vectors /tmp/sframe_bad_vec.$$.json
echo '{"header": [{"kid": "0x0x1", "ctr": 1, "encoded": "11"}]}' > /tmp/sframe_bad_vec.$$.json
expect_error "lax hex in a vector" "" "$sframe" vectors /tmp/sframe_bad_vec.$$.json
expect_error "endless file" "larger than" timeout 20 "$sframe" vectors /dev/zero
rm -f /tmp/sframe_bad_vec.$$.json /tmp/sframe_cli_err.$$

help=$("$sframe" --help) || fail "--help exits non-zero"
printf '%s\n' "$help" | grep -q "usage: sframe" || fail "--help"

# Key management (RFC 9605 §5): ratchet and mls-kid, and our own vectors.
r1=fb75d8d5782da6c6cbf18ac43eca5da9e47f7e6ac7926a78e486226bd2af0f87
r2=e24577b569963f5222734f2f57c43927c10dd36180e6124cf9f10cd43ab4598e
expect_ok "ratchet default one step" "$r1" "$sframe" ratchet --suite 1 --key $key
expect_ok "ratchet two steps" "$r2" "$sframe" ratchet --suite aes128ctr80 --key $key --steps 2
expect_ok "ratchet of a ratchet" "$r2" "$sframe" ratchet --suite 4 --key $r1 --steps 1
expect_ok "ratchet zero steps" "$key" "$sframe" ratchet --suite 4 --key $key --steps 0
r5=$("$sframe" ratchet --suite 5 --key $key) || fail "ratchet SHA-512 exits non-zero"
[ "${#r5}" = 128 ] || fail "ratchet SHA-512 output is not 64 bytes"
grep -q "\"$r2\"" "$data/sframe-keys-vectors.json" || fail "ratchet value not in the key vectors"
expect_error "ratchet bad key" "--key" "$sframe" ratchet --suite 1 --key zz
expect_error "ratchet missing key" "missing --key" "$sframe" ratchet --suite 1
expect_error "ratchet bad steps" "--steps is not" "$sframe" ratchet --suite 1 --key $key --steps -2
expect_error "ratchet too many steps" "--steps is at most" timeout 10 "$sframe" ratchet --suite 1 --key $key --steps 18446744073709551615
expect_error "ratchet unknown suite" "unknown cipher suite" "$sframe" ratchet --suite 0 --key $key
for row in "14 3 0 62" "14 7 0 126" "14 20 0 334" "15 3 0 63" "15 5 0 95" "16 2 2 2080" "16 2 3 3104" "17 33 0 529" "17 51 0 817"; do
  set -- $row
  if [ "$3" = 0 ]; then
    expect_ok "mls-kid $row" "$4" "$sframe" mls-kid --epoch-bits 4 --sender-bits 6 --epoch $1 --index $2
  else
    expect_ok "mls-kid $row" "$4" "$sframe" mls-kid --epoch-bits 4 --sender-bits 6 --epoch $1 --index $2 --context $3
  fi
done
expect_ok "mls-kid full epoch" 18446744073709551615 "$sframe" mls-kid --epoch-bits 64 --sender-bits 0 --epoch 18446744073709551615 --index 0
expect_error "mls-kid index too big" "sender_index" "$sframe" mls-kid --epoch-bits 4 --sender-bits 6 --epoch 1 --index 64
expect_error "mls-kid bits" "at most 64" "$sframe" mls-kid --epoch-bits 40 --sender-bits 30 --epoch 1 --index 0
expect_error "mls-kid missing" "missing --index" "$sframe" mls-kid --epoch-bits 4 --sender-bits 6 --epoch 1
out=$("$sframe" vectors "$data/sframe-keys-vectors.json") || fail "key vectors: $out"
[ "$(printf '%s\n' "$out" | tail -n 1)" = "70 passed, 0 failed" ] || fail "key vectors summary: $(printf '%s\n' "$out" | tail -n 1)"
printf '%s\n' "$out" | grep -q "ratchet .*40 passed" || fail "ratchet section: $out"
printf '%s\n' "$out" | grep -q "mls .*30 passed" || fail "mls section: $out"
printf '%s\n' "$help" | grep -q "mls-kid" || fail "--help lacks mls-kid"
# Media (draft-ietf-avtcore-rtp-sframe-02): per-SSRC base keys, from the
# independently computed vectors.
ssrc_key=1cfee64600b8cff2e2b9da4cdbcf74bac1c5bb4f1a96878bd38aeb8f4bfefcc9
grep -q "$ssrc_key" "$data/sframe-ssrc-vectors.json" || fail "ssrc vector missing"
expect_ok "ssrc-key vector" "$ssrc_key" "$sframe" ssrc-key --suite 1 --key $key --ssrc 0
expect_error "ssrc-key too big" "32 bits" "$sframe" ssrc-key --suite 1 --key $key --ssrc 4294967296
expect_error "ssrc-key missing ssrc" "--ssrc" "$sframe" ssrc-key --suite 1 --key $key
out=$("$sframe" vectors "$data/sframe-ssrc-vectors.json") || fail "ssrc vectors: $out"
printf '%s\n' "$out" | grep -q "ssrc_key .*120 passed, 0 failed" || fail "ssrc_key section: $out"
printf '%s\n' "$help" | grep -q "ssrc-key" || fail "--help lacks ssrc-key"
rm -f /tmp/sframe_cli_err.$$
if [ $failures -ne 0 ]; then echo "$failures CLI checks failed"; exit 1; fi
echo "all CLI checks passed"
