//! A mail server for the examples: it accepts every message over SMTP (as much of it as lettre
//! speaks) and remembers each one's recipient and `Message-ID`, so that a harness can count what
//! the portal delivered.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// One message as the sink received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub to: String,
    pub message_id: String,
}

/// A mail server that accepts everything and remembers what it got (enough SMTP for lettre).
pub struct SmtpSink {
    port: u16,
    received: Arc<Mutex<Vec<Received>>>,
    task: tokio::task::JoinHandle<()>,
}

impl SmtpSink {
    pub async fn start() -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let store = received.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let store = store.clone();
                tokio::spawn(async move {
                    let _ = serve_smtp(stream, store).await;
                });
            }
        });
        Ok(Self {
            port,
            received,
            task,
        })
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn messages(&self) -> Vec<Received> {
        self.received
            .lock()
            .map(|list| list.clone())
            .unwrap_or_default()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve_smtp(
    stream: tokio::net::TcpStream,
    store: Arc<Mutex<Vec<Received>>>,
) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    write.write_all(b"220 sink ESMTP\r\n").await?;
    while let Some(line) = lines.next_line().await? {
        let command = line.to_ascii_uppercase();
        if command.starts_with("EHLO") {
            write.write_all(b"250-sink\r\n250 8BITMIME\r\n").await?;
        } else if command.starts_with("DATA") {
            write.write_all(b"354 go on\r\n").await?;
            let mut headers: HashMap<String, String> = HashMap::new();
            let mut in_headers = true;
            while let Some(data) = lines.next_line().await? {
                if data == "." {
                    break;
                }
                if data.is_empty() {
                    in_headers = false;
                }
                if in_headers && let Some((name, value)) = data.split_once(": ") {
                    headers.insert(name.to_ascii_lowercase(), value.to_owned());
                }
            }
            if let Ok(mut list) = store.lock() {
                list.push(Received {
                    to: headers.get("to").cloned().unwrap_or_default(),
                    message_id: headers.get("message-id").cloned().unwrap_or_default(),
                });
            }
            write.write_all(b"250 kept\r\n").await?;
        } else if command.starts_with("QUIT") {
            write.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            write.write_all(b"250 ok\r\n").await?;
        }
    }
    Ok(())
}
