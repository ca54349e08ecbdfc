//! Link setup for the Node-API addon.

fn main() {
    napi_build::setup();
}
