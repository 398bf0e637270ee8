#!/bin/sh
# splunkd runs this for [illumio_pce_traffic://<name>] stanzas. Finding Node.js and starting the bundled
# input is shared by every input: see ta_zerotrust_node.sh.
TA_SCHEME=illumio_pce_traffic
case "$0" in */*) TA_BIN=${0%/*} ;; *) TA_BIN=. ;; esac
TA_BIN=$(CDPATH= cd -- "$TA_BIN" && pwd -P) || exit 1
. "$TA_BIN/ta_zerotrust_node.sh"
