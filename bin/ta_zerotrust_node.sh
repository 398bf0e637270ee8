# Sourced by bin/<scheme>.sh (which sets TA_SCHEME and TA_BIN): finds a Node.js runtime and
# execs the bundled modular input with splunkd's argv. POSIX sh (dash); only shell builtins on
# the common path, because splunkd starts every input through here and PATH may be bare.
#
# Search order, first usable wins:
#   1. a runtime shipped in the app (npm run package -- --with-node), in Splunk's per-platform
#      layout: <app>/linux_x86_64/bin/node, linux_aarch64, darwin_x86_64, darwin_arm64
#   2. [node] path in local/, then default/ ta_zerotrust_events_settings.conf
#   3. the environment variable TA_ZEROTRUST_NODE
#   4. $SPLUNK_HOME/bin/node (shipped by Splunk before 10.2)
#   5. node on PATH
# Every candidate must be Node.js >= 18.17 (the bundle uses undici 6), the shipped one too: its
# `--version` is also how the launcher tells that it runs on this host, without uname. `node
# --version` answers before the JavaScript engine starts, so the check costs a few milliseconds.

TA_APP=${TA_BIN%/*}
TA_MIN_MAJOR=18
TA_MIN_MINOR=17
# Chosen by npm run bench (launcher benches, 200 000-event Illumio download, one run each on a
# loaded 2-core host): default flags 7.9-8.8 s CPU and 182-185 MB peak RSS; --optimize-for-size
# 101 MB but 16 s CPU (2 000 scavenges of a tiny young generation); a 2 MB semi-space 8.8 s and
# 157 MB (4 MB: 9.8-10.4 s, 158-164 MB). No hard heap cap, which a 10 MB event could hit.
# --no-flush-bytecode: the V8 code cache (src/cli/code-cache.ts) is written when a run ends; in a
# long run V8 had flushed the bytecode of the start-up functions by then, so the cache missed
# them and the next start compiled them again (100 000 events: 72 ms module load with the cache
# against 61 ms without; with the flag 35-39 ms, a 650 KB cache instead of 314 KB).
TA_NODE_FLAGS="--max-semi-space-size=2 --no-flush-bytecode"
ta_looked=

# True when $1 runs and reports a version >= 18.17. Sets ta_version.
ta_node_ok() {
  ta_version=
  [ -n "$1" ] && [ -f "$1" ] && [ -x "$1" ] || return 1
  # NODE_OPTIONS is for the run, not the probe: a flag this node rejects must not hide it.
  ta_version=$(LD_LIBRARY_PATH= NODE_OPTIONS= "$1" --version 2>/dev/null) || return 1
  ta_v=${ta_version#v}
  ta_major=${ta_v%%.*}
  ta_v=${ta_v#*.}
  ta_minor=${ta_v%%.*}
  case "$ta_major.$ta_minor" in
    *[!0-9.]* | .* | *.) return 1 ;;
  esac
  [ "$ta_major" -gt "$TA_MIN_MAJOR" ] || { [ "$ta_major" -eq "$TA_MIN_MAJOR" ] && [ "$ta_minor" -ge "$TA_MIN_MINOR" ]; }
}

# Why the last candidate given to ta_node_ok was refused.
ta_why() {
  if [ -n "$ta_version" ]; then echo "$ta_version, too old"; else echo "missing, not executable or not Node.js"; fi
}

# [node] path from one conf file, Splunk syntax: `path = /opt/node/bin/node`.
ta_conf_path() {
  [ -f "$1" ] || return 0
  ta_in=0
  while IFS= read -r ta_line || [ -n "$ta_line" ]; do
    ta_line=${ta_line%"$TA_CR"}
    ta_line=${ta_line#"${ta_line%%[! 	]*}"}
    case "$ta_line" in
      \[*)
        ta_in=0
        case "$ta_line" in \[node\]*) ta_in=1 ;; esac ;;
      path=* | 'path '*=* | 'path	'*=*)
        if [ "$ta_in" = 1 ]; then
          ta_v=${ta_line#*=}
          ta_v=${ta_v#"${ta_v%%[! 	]*}"}
          ta_v=${ta_v%"${ta_v##*[! 	]}"}
          printf '%s' "$ta_v"
          return 0
        fi ;;
    esac
  done < "$1"
}

# ta_health <message>: in run mode (splunkd gives no arguments and the <input> XML on stdin),
# also writes one ta_zerotrust:health event per stanza on stdout, so the failure to start reaches
# the input's index (and the Add-on health dashboard) rather than only splunkd.log. Only on this
# failure path, so external tools (date, sed) are fine here.
ta_health() {
  [ "$ta_argc" = 0 ] || return 0
  ta_xml=
  while IFS= read -r ta_line || [ -n "$ta_line" ]; do ta_xml="$ta_xml$ta_line"; done
  ta_msg=$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g; s/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g')
  ta_now=$(date +%s)
  ta_out=
  ta_rest=$ta_xml
  while :; do
    case "$ta_rest" in *'<stanza name="'*) ;; *) break ;; esac
    ta_rest=${ta_rest#*<stanza name=\"}
    ta_name=${ta_rest%%\"*}
    ta_body=${ta_rest%%</stanza>*}
    case "$ta_name" in *'&quot;'* | *\\* | '') continue ;; esac
    ta_index=
    case "$ta_body" in *'<param name="index">'*) ta_index=${ta_body#*<param name=\"index\">}; ta_index=${ta_index%%<*} ;; esac
    ta_out="$ta_out<event stanza=\"$ta_name\"><time>$ta_now</time><sourcetype>ta_zerotrust:health</sourcetype><source>$ta_name</source>${ta_index:+<index>$ta_index</index>}<data>{\"stanza\":\"$ta_name\",\"input\":\"$TA_SCHEME\",\"status\":\"failed\",\"error_kind\":\"launcher\",\"events\":0,\"batches\":0,\"errors\":1,\"last_error\":\"$ta_msg\"}</data></event>"
  done
  [ -z "$ta_out" ] || printf '<stream>%s</stream>\n' "$ta_out"
}

# ta_run <node> <splunkd's argv…>
ta_run() {
  ta_node=$1
  shift
  # splunkd exports LD_LIBRARY_PATH=$SPLUNK_HOME/lib for its own tools; its OpenSSL and friends
  # break a system node, and a shipped one needs nothing from there either.
  unset LD_LIBRARY_PATH
  if [ ! -f "$TA_APP/bin/lib/modinput.js" ]; then
    ta_err="$TA_APP/bin/lib/modinput.js is missing; the add-on was installed from a source checkout without its build. Install the packaged add-on (or run npm run build)."
    echo "ERROR TA-zerotrust-events: $ta_err" >&2
    ta_health "$ta_err"
    exit 1
  fi
  exec "$ta_node" $TA_NODE_FLAGS "$TA_APP/bin/lib/modinput.js" "$TA_SCHEME" "$@"
}

TA_CR=$(printf '\r')
ta_argc=$#

# Every place looked at, for the error line when nothing fits.
ta_note() { ta_looked="$ta_looked${ta_looked:+; }$*"; }

# 1. Shipped runtime. splunkd's PATH may lack uname, so the platform is not asked for: each
#    shipped runtime is asked for its version, and one built for another platform simply fails
#    to run (the package ships one platform's, so this is one probe of a few milliseconds).
ta_shipped=
for ta_p in linux_x86_64 linux_aarch64 darwin_x86_64 darwin_arm64; do
  [ -f "$TA_APP/$ta_p/bin/node" ] || continue
  ta_shipped=1
  if ta_node_ok "$TA_APP/$ta_p/bin/node"; then ta_run "$TA_APP/$ta_p/bin/node" "$@"; fi
  ta_note "app runtime $ta_p/bin/node: $(ta_why)"
done
[ -n "$ta_shipped" ] || ta_note "app runtime: not packaged"

# 2. Configured path: local/ wins over default/.
ta_cfg=$(ta_conf_path "$TA_APP/local/ta_zerotrust_events_settings.conf")
[ -n "$ta_cfg" ] || ta_cfg=$(ta_conf_path "$TA_APP/default/ta_zerotrust_events_settings.conf")
if [ -n "$ta_cfg" ]; then
  if ta_node_ok "$ta_cfg"; then ta_run "$ta_cfg" "$@"; fi
  ta_note "[node] path: $ta_cfg ($(ta_why))"
  echo "WARN TA-zerotrust-events: [node] path = $ta_cfg in ta_zerotrust_events_settings.conf is unusable ($(ta_why)); looking further." >&2
else
  ta_note "[node] path: not set"
fi

# 3. Environment.
if [ -n "${TA_ZEROTRUST_NODE:-}" ]; then
  if ta_node_ok "$TA_ZEROTRUST_NODE"; then ta_run "$TA_ZEROTRUST_NODE" "$@"; fi
  ta_note "TA_ZEROTRUST_NODE: $TA_ZEROTRUST_NODE ($(ta_why))"
else
  ta_note "TA_ZEROTRUST_NODE: not set"
fi

# 4. Splunk's own node (removed in Splunk 10.2; older Splunk versions ship one too old for us).
if [ -n "${SPLUNK_HOME:-}" ]; then
  if ta_node_ok "$SPLUNK_HOME/bin/node"; then ta_run "$SPLUNK_HOME/bin/node" "$@"; fi
  ta_note "$SPLUNK_HOME/bin/node ($(ta_why))"
else
  ta_note "SPLUNK_HOME: not set"
fi

# 5. PATH, every entry: the first node on it may be an old one.
ta_onpath=
ta_ifs=$IFS
IFS=:
set -f
for ta_d in $PATH; do
  [ -n "$ta_d" ] || ta_d=.
  if [ -e "$ta_d/node" ]; then
    IFS=$ta_ifs
    set +f
    if ta_node_ok "$ta_d/node"; then ta_run "$ta_d/node" "$@"; fi
    ta_note "PATH: $ta_d/node ($(ta_why))"
    ta_onpath=1
    set -f
    IFS=:
  fi
done
set +f
IFS=$ta_ifs
[ -n "$ta_onpath" ] || ta_note "PATH: no node"

ta_err="no Node.js >= $TA_MIN_MAJOR.$TA_MIN_MINOR found (looked in: $ta_looked); install Node.js 18.17 or later, or set [node] path in local/ta_zerotrust_events_settings.conf"
echo "ERROR TA-zerotrust-events: $ta_err" >&2
ta_health "$ta_err"
exit 1
