//! Event parsing throughput: a fixed mix of CIRC, DEBUG-log and BW events,
//! framed from bytes (pushed in 64 KiB reads, as from the socket) and parsed
//! into typed events as the reader does (log lines into runs). Reports events/s and MB/s.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use rnyx::control::{take_events, Incoming, ReplyFramer};
use rnyx::controller::apply::apply_batch;
use rnyx_grammar::model::ControllerState;

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
fn parse_in(input: &[u8], chunk: usize, mut each: impl FnMut(Vec<Incoming>)) -> usize {
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

fn parse_all(input: &[u8]) -> usize {
    parse_in(input, 64 * 1024, |batch| {
        black_box(&batch);
    })
}

fn bench(c: &mut Criterion) {
    const EVENTS: usize = 100_000;
    let input = event_mix(EVENTS);
    assert_eq!(parse_all(&input), EVENTS);
    let mut g = c.benchmark_group("event_mix");
    g.throughput(Throughput::Elements(EVENTS as u64));
    g.bench_function("events", |b| b.iter(|| parse_all(black_box(&input))));
    g.throughput(Throughput::Bytes(input.len() as u64));
    g.bench_function("bytes", |b| b.iter(|| parse_all(black_box(&input))));
    g.finish();

    // The whole model path at DEBUG: framing, parsing, and applying to the
    // controller state with every log runlevel and CIRC/BW shown (sanitising,
    // deduplication, the bounded log buffer).
    let logged =
        rnyx_grammar::model::EventSelection::parse(["DEBUG,INFO,NOTICE,WARN,ERR,CIRC,BW"]).0;
    let mut g = c.benchmark_group("parse_and_apply");
    g.throughput(Throughput::Elements(EVENTS as u64));
    g.bench_function("events", |b| {
        b.iter(|| {
            let mut state = ControllerState::default();
            parse_in(&input, 64 * 1024, |batch| {
                apply_batch(&mut state, batch, &logged, 1_795_255_200_000);
            });
            black_box(state.events_received)
        });
    });
    // The same under a flood as the controller batches it: 100 ms of events
    // at 150,000 a second per update (15,000), most of whose log lines the
    // log (1,000 entries) would evict at once and only counts.
    let flood = input.len() * 15_000 / EVENTS;
    g.bench_function("flood_batches", |b| {
        b.iter(|| {
            let mut state = ControllerState::default();
            parse_in(&input, flood, |batch| {
                apply_batch(&mut state, batch, &logged, 1_795_255_200_000);
            });
            black_box(state.events_received)
        });
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(4));
    targets = bench
}
criterion_main!(benches);
