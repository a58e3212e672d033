//! A small browser for tests: keeps cookies per host (`Max-Age=0` removes one), follows
//! redirects across hosts (the server and the fake GitLab), and reads forms' hidden CSRF field.

use std::collections::BTreeMap;
use std::sync::Mutex;

/// What a navigation ended on.
#[derive(Debug)]
pub struct Page {
    /// The final status.
    pub status: u16,
    /// The final URL.
    pub url: String,
    /// Every URL visited on the way, the first one included.
    pub trail: Vec<String>,
    /// The body.
    pub body: String,
}

impl Page {
    /// The value of the first `name="csrf" value="…"` hidden field.
    pub fn csrf(&self) -> String {
        let at = self
            .body
            .find("name=\"csrf\" value=\"")
            .expect("a CSRF field");
        let rest = &self.body[at + "name=\"csrf\" value=\"".len()..];
        rest[..rest.find('"').unwrap()].to_owned()
    }
}

/// A browser.
pub struct Browser {
    client: reqwest::Client,
    cookies: Mutex<BTreeMap<String, BTreeMap<String, String>>>,
}

impl Default for Browser {
    fn default() -> Self {
        Browser {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: Mutex::default(),
        }
    }
}

fn host(url: &reqwest::Url) -> String {
    format!(
        "{}:{}",
        url.host_str().unwrap_or(""),
        url.port_or_known_default().unwrap_or(0)
    )
}

impl Browser {
    /// The cookies set for `url`'s host.
    pub fn cookies(&self, url: &str) -> BTreeMap<String, String> {
        let url = reqwest::Url::parse(url).unwrap();
        self.cookies
            .lock()
            .unwrap()
            .get(&host(&url))
            .cloned()
            .unwrap_or_default()
    }

    /// `GET url`, following redirects.
    pub async fn get(&self, url: &str) -> Page {
        self.go(reqwest::Method::GET, url, None).await
    }

    /// `POST url` with a urlencoded form, following redirects (as a `GET`).
    pub async fn post(&self, url: &str, form: &[(&str, &str)]) -> Page {
        let body: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        self.go(reqwest::Method::POST, url, Some(body)).await
    }

    async fn go(&self, method: reqwest::Method, url: &str, form: Option<String>) -> Page {
        let mut url = reqwest::Url::parse(url).unwrap();
        let mut method = method;
        let mut form = form;
        let mut trail = Vec::new();
        for _ in 0..10 {
            trail.push(url.to_string());
            let mut req = self.client.request(method.clone(), url.clone());
            let jar = self.cookies(url.as_str());
            if !jar.is_empty() {
                let header: Vec<String> = jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
                req = req.header("cookie", header.join("; "));
            }
            if let Some(body) = form.take() {
                req = req
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(body);
            }
            let res = req.send().await.unwrap();
            {
                let mut all = self.cookies.lock().unwrap();
                let jar = all.entry(host(&url)).or_default();
                for v in res.headers().get_all("set-cookie") {
                    let text = v.to_str().unwrap();
                    let (pair, attrs) = text.split_once(';').unwrap_or((text, ""));
                    let (k, v) = pair.split_once('=').unwrap();
                    if attrs.contains("Max-Age=0") {
                        jar.remove(k.trim());
                    } else {
                        jar.insert(k.trim().to_owned(), v.trim().to_owned());
                    }
                }
            }
            let status = res.status().as_u16();
            if (300..400).contains(&status) {
                let to = res.headers()["location"].to_str().unwrap().to_owned();
                url = url.join(&to).unwrap();
                method = reqwest::Method::GET;
                continue;
            }
            let final_url = res.url().to_string();
            return Page {
                status,
                url: final_url,
                trail,
                body: res.text().await.unwrap(),
            };
        }
        panic!("too many redirects: {trail:?}");
    }
}
