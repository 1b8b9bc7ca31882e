//! The event mix the parsing benches use, and the parse they time: shared
//! with tests/bench_inputs.rs, which checks it parses to as many events.

use criterion::black_box;
use rnyx::control::{take_events, Incoming, ReplyFramer};

/// Per 10 events: 2 CIRC, 7 DEBUG, 1 BW — roughly what a busy relay at DEBUG sends.
pub fn event_mix(events: usize) -> Vec<u8> {
    let circ = [
        "650 CIRC 4021 EXTENDED $9695DFC35FFEB861329B9F1AB04C46397020CE31~moria1,$847B1F850344D7876491A54892F904934E4EB85D~relay2 BUILD_FLAGS=NEED_CAPACITY PURPOSE=GENERAL TIME_CREATED=2026-11-21T10:14:15.302213\r\n",
        "650 CIRC 4022 BUILT $9695DFC35FFEB861329B9F1AB04C46397020CE31~moria1,$847B1F850344D7876491A54892F904934E4EB85D~relay2,$D586D18309DED4CD6D57C18FDB97EFA96D330566~exit3 BUILD_FLAGS=IS_INTERNAL,NEED_CAPACITY,NEED_UPTIME PURPOSE=HS_VANGUARDS TIME_CREATED=2026-11-21T10:14:15.302213\r\n",
    ];
    let debug = [
        "650 DEBUG conn_read_callback(): socket 14 wants to read.\r\n",
        "650 DEBUG connection_buf_read_from_socket(): 14: starting, inbuf_datalen 0 (0 pending in tls object). at_most 16448.\r\n",
        "650 DEBUG circuit_receive_relay_cell(): Sending to origin.\r\n",
        "650 DEBUG relay_lookup_conn(): found conn for stream 2345.\r\n",
        "650 DEBUG connection_edge_process_relay_cell(): Now seen 2381 relay cells here (command 2, stream 2345).\r\n",
        "650 DEBUG channel_tls_handle_cell(): Received cell with command 3 on channel 0x55d1c1e4f2a0 (global ID 17).\r\n",
        "650 DEBUG connection_or_process_cells_from_inbuf(): 14: starting, inbuf_datalen 514 (0 pending in tls object).\r\n",
    ];
    let bw = "650 BW 1534622 1498213\r\n";
    let mut out = Vec::new();
    for i in 0..events {
        let line = match i % 10 {
            0 | 5 => circ[i % 2],
            9 => bw,
            k => debug[k % debug.len()],
        };
        out.extend_from_slice(line.as_bytes());
    }
    out
}

/// Frames and parses `input` as the reader does, in reads of `chunk`
/// bytes, handing each read's batch to `each`; returns the events parsed.
pub fn parse_in(input: &[u8], chunk: usize, mut each: impl FnMut(Vec<Incoming>)) -> usize {
    let mut framer = ReplyFramer::new();
    let mut n = 0;
    for bytes in input.chunks(chunk) {
        framer.push(bytes);
        let mut batch = Vec::new();
        n += take_events(&mut framer, &mut batch, |_| None);
        each(batch);
    }
    n
}

pub fn parse_all(input: &[u8]) -> usize {
    parse_in(input, 64 * 1024, |batch| {
        black_box(&batch);
    })
}
