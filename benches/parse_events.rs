//! Event parsing throughput: a fixed mix of CIRC, DEBUG-log and BW events,
//! framed from bytes (pushed in 64 KiB reads, as from the socket) and parsed
//! into typed events as the reader does (log lines into runs). Reports events/s and MB/s.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use rnyx::controller::apply::apply_batch;
use rnyx_model::ControllerState;

#[path = "common/events.rs"]
mod events;
use events::{event_mix, parse_all, parse_in};

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
    let logged = rnyx_model::EventSelection::parse(["DEBUG,INFO,NOTICE,WARN,ERR,CIRC,BW"]).0;
    let mut g = c.benchmark_group("parse_and_apply");
    g.throughput(Throughput::Elements(EVENTS as u64));
    g.bench_function("events", |b| {
        b.iter(|| {
            let mut state = ControllerState::default();
            parse_in(&input, 64 * 1024, |batch| {
                apply_batch(&mut state, batch, &logged, 1_795_255_200_000);
            });
            black_box(state.session.events_received)
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
            black_box(state.session.events_received)
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
