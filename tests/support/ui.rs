//! The UI loop on a test terminal, driven by inputs a step at a time.

use ratatui::backend::TestBackend;
use ratatui::Terminal;
use rnyx::controller::ControllerHandle;
use rnyx::ui::{self, Input};
use rnyx_model::RelayName;
use rnyx_panels::app::App;
use std::time::Duration;

/// The UI loop on a test terminal, run a step at a time.
pub struct Ui {
    pub term: Terminal<TestBackend>,
    pub app: App,
    /// The relays watched, by name (one, unnamed, for most tests).
    pub fleet: Vec<(RelayName, ControllerHandle)>,
}

impl Ui {
    pub fn new(app: App, handle: &ControllerHandle, width: u16, height: u16) -> Self {
        Self {
            term: Terminal::new(TestBackend::new(width, height)).unwrap(),
            app,
            fleet: vec![(RelayName::default(), handle.clone())],
        }
    }

    /// Several relays, the overview first.
    pub fn with_fleet(
        app: App,
        fleet: Vec<(RelayName, ControllerHandle)>,
        width: u16,
        height: u16,
    ) -> Self {
        Self {
            term: Terminal::new(TestBackend::new(width, height)).unwrap(),
            app,
            fleet,
        }
    }

    /// Runs the UI loop over `inputs` and a few frames after; the screen.
    pub async fn step(&mut self, inputs: &[Input]) -> Vec<String> {
        let (tx, rx) = tokio::sync::mpsc::channel(1024);
        for i in inputs {
            tx.send(*i).await.unwrap();
        }
        // Every input taken (however loaded the machine), then time for
        // the frames and the replies of the requests made.
        let queue = tx.clone();
        let stop = async move {
            while queue.capacity() < queue.max_capacity() {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        ui::run_fleet(&mut self.term, &mut self.app, &self.fleet, rx, 60, stop)
            .await
            .unwrap();
        drop(tx);
        let buf = self.term.backend().buffer();
        (0..buf.area.height)
            .map(|y| {
                (0..buf.area.width)
                    .map(|x| buf[(x, y)].symbol().to_owned())
                    .collect()
            })
            .collect()
    }
}
