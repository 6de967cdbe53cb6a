// Starts the real palaverd for a browser test: free loopback ports, a
// temporary state folder, every plugin enabled; stops it with SIGTERM.
import {spawn} from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export const sourceDir = process.env.PALAVER_SOURCE_DIR || path.resolve(import.meta.dirname || new URL(".", import.meta.url).pathname, "../../..");
export const binaryDir = process.env.PALAVER_BINARY_DIR || path.join(sourceDir, "build");
export const palaverdPath = process.env.PALAVERD || path.join(binaryDir, "bin", "palaverd");

const PLUGINS = ["auth", "contacts", "messages", "groups", "ws", "web", "push"];

// Below the kernel's ephemeral range (32768 and up): a port bound to 0 and
// closed comes from that range, where any test's next outgoing connection can
// take it as its local port before palaverd binds it.
const handedOut = new Set();

function portIsFree(port) {
	return new Promise((resolve) => {
		const server = net.createServer();
		server.unref();
		server.on("error", () => resolve(false));
		server.listen({port, host: "127.0.0.1", exclusive: true}, () => server.close(() => resolve(true)));
	});
}

export async function freePort() {
	for (let tries = 0; tries < 1000; ++tries) {
		const port = 20000 + Math.floor(Math.random() * 12000);
		if (handedOut.has(port)) continue;
		handedOut.add(port);
		if (await portIsFree(port)) return port;
	}
	throw new Error("no free port below the ephemeral range");
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class Palaverd {
	constructor({extraArguments = []} = {}) {
		this.extraArguments = extraArguments;
		this.process = null;
		this.output = "";
		this.stateDir = null;
		this.httpPort = 0;
		this.wsPort = 0;
	}

	get url() {
		return `http://127.0.0.1:${this.httpPort}`;
	}

	async start() {
		if (!fs.existsSync(palaverdPath)) throw new Error(`palaverd not found at ${palaverdPath} (build first)`);
		if (!this.stateDir) this.stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "palaver-browser-"));
		if (!this.httpPort) this.httpPort = await freePort();
		if (!this.wsPort) this.wsPort = await freePort();
		const args = [
			`--config=${path.join(sourceDir, "config", "palaver.ini")}`,
			`--server.state_dir=${this.stateDir}`,
			`--http.port=${this.httpPort}`,
			`--ws.port=${this.wsPort}`,
			...PLUGINS.map((plugin) => `--${plugin}.enabled=true`),
			...this.extraArguments,
			// e.g. PALAVERD_ARGS=--web.root=<src>/plugins/web/static: test client edits without a rebuild.
			...(process.env.PALAVERD_ARGS || "").split(/\s+/).filter(Boolean),
		];
		this.process = spawn(palaverdPath, args, {stdio: ["ignore", "pipe", "pipe"]});
		const child = this.process;
		const collect = (chunk) => {
			this.output += chunk.toString();
			if (this.output.length > 200000) this.output = this.output.slice(-100000);
		};
		child.stdout.on("data", collect);
		child.stderr.on("data", collect);
		child.exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({code, signal})));
		await this.waitHealthy(child);
	}

	async waitHealthy(child, timeoutMs = 20000) {
		const deadline = Date.now() + timeoutMs;
		let exited = null;
		child.exited.then((result) => { exited = result; });
		while (Date.now() < deadline) {
			if (exited) throw new Error(`palaverd exited (${JSON.stringify(exited)}) before it was healthy:\n${this.output}`);
			try {
				const response = await fetch(`${this.url}/health`);
				if (response.status === 200) return;
			} catch (error) {
				// not listening yet
			}
			await sleep(100);
		}
		throw new Error(`palaverd not healthy within ${timeoutMs} ms:\n${this.output}`);
	}

	/** SIGTERM, then SIGKILL after 20 s; keeps ports and state for a restart. */
	async stop() {
		const child = this.process;
		if (!child) return null;
		this.process = null;
		if (child.exitCode !== null || child.signalCode !== null) return child.exited;
		child.kill("SIGTERM");
		const timer = setTimeout(() => child.kill("SIGKILL"), 20000);
		const result = await child.exited;
		clearTimeout(timer);
		return result;
	}

	/** Stops the server and removes its state folder. */
	async dispose() {
		await this.stop();
		if (this.stateDir) fs.rmSync(this.stateDir, {recursive: true, force: true});
		this.stateDir = null;
	}
}
