#!/usr/bin/env bash
# The documented Camunda 8.2–8.7 backup procedure as community scripts run it: curl, and a
# fixed 5 s poll for every wait. The benchmark suite (benches/suite.rs) runs it against the same
# simulator as the console, to compare pause windows, wall times and request counts.
#
# Usage: ZEEBE=… OPERATE=… TASKLIST=… OPTIMIZE=… ES=… REPO=camunda benches/baseline.sh <backupId>
set -euo pipefail
ID=$1
POLL=${POLL:-5}
json=(-H 'Content-Type: application/json')

take() { curl -sf -XPOST "$1/actuator/backups" "${json[@]}" -d "{\"backupId\": $ID}" >/dev/null; }
# Until GET <url> shows "state":"COMPLETED" (the web apps' and Zeebe's status shape).
wait_completed() {
  until curl -sf "$1/actuator/backups/$ID" | grep -q '"state": *"COMPLETED"'; do sleep "$POLL"; done
}

# 1. The web apps first, then wait for all three.
take "$OPTIMIZE"; take "$OPERATE"; take "$TASKLIST"
wait_completed "$OPTIMIZE"; wait_completed "$OPERATE"; wait_completed "$TASKLIST"
# 2. Pause exporting (soft, 8.5.1+).
curl -sf -XPOST "$ZEEBE/actuator/exporting/pause?soft=true" >/dev/null
# 3. The records snapshot, waited for by Elasticsearch.
curl -sf -XPUT "$ES/_snapshot/$REPO/camunda_zeebe_records_backup_$ID?wait_for_completion=true" \
  "${json[@]}" -d '{"indices": "zeebe-record*", "feature_states": ["none"]}' >/dev/null
# 4. Zeebe's backup, polled.
take "$ZEEBE"
wait_completed "$ZEEBE"
# 5. Resume exporting.
curl -sf -XPOST "$ZEEBE/actuator/exporting/resume" >/dev/null
