//! Broker management API: `GET /actuator/partitions` (§4.3), from the broker's own data directory
//! (positions and snapshot of each hosted partition; an empty partition has no snapshot and
//! positions -1).

use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::{empty, info, json_resp, spring_error, Ctx, Req};
use crate::faults::lock;
use crate::state::zeebe::ZeebeState;

/// Operation name of a broker request.
pub(crate) fn operation(r: &Req) -> &'static str {
    match (&r.method, r.seg_strs().as_slice()) {
        (&Method::GET, ["actuator", "partitions"]) => "partitions",
        (&Method::GET, ["actuator", "partitions", _]) => "partitions",
        (&Method::GET, ["actuator", "info"]) => "info",
        (&Method::GET, ["actuator", "health"]) => "health",
        _ => "unknown",
    }
}

fn partition_status(z: &ZeebeState, broker: u32, p: u32, leader: bool) -> Value {
    let data = z.partition_data(broker, p);
    let snapshot = data.and_then(|d| d.snapshot_id(p));
    if leader {
        let phase = if z.failed_partitions.contains(&p) {
            "FAILED"
        } else {
            "PROCESSING"
        };
        let position = data.map_or(-1, |d| d.position);
        let in_snapshot = data.map(|d| d.snapshot_position).filter(|pos| *pos >= 0);
        json!({
            "role": "LEADER",
            "snapshotId": snapshot,
            "processedPosition": position,
            "processedPositionInSnapshot": in_snapshot,
            "streamProcessorPhase": phase,
            "exporterPhase": z.phase(p).as_str(),
            "exportedPosition": data.map_or(-1, |d| d.exported_position),
        })
    } else {
        json!({
            "role": "FOLLOWER",
            "snapshotId": snapshot,
            "processedPosition": null,
            "processedPositionInSnapshot": null,
            "streamProcessorPhase": null,
            "exporterPhase": null,
            "exportedPosition": null,
        })
    }
}

/// Handles a broker request.
pub(crate) fn dispatch(ctx: &Ctx, broker: usize, op: &'static str, r: Req) -> Response {
    let shared = &ctx.shared;
    match op {
        "partitions" => {
            let st = lock(&shared.state);
            let mut map = Map::new();
            for p in 1..=shared.config.partitions {
                if shared.replicas(p).contains(&(broker as u32)) {
                    let leader = shared.leader(p) as usize == broker;
                    map.insert(
                        p.to_string(),
                        partition_status(&st.zeebe, broker as u32, p, leader),
                    );
                }
            }
            match r.segs.get(2) {
                None => json_resp(StatusCode::OK, &Value::Object(map)),
                Some(id) => match map.get(id) {
                    Some(v) => json_resp(StatusCode::OK, v),
                    None => empty(StatusCode::NOT_FOUND),
                },
            }
        }
        "info" => info("camunda-zeebe", "Zeebe Broker", &shared.config.version),
        "health" => super::health(),
        _ => spring_error(404, &r.path),
    }
}
