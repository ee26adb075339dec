// Imported first by the ETL's entry (cli.ts): starts the reader thread while the other
// modules load (see `prestartReader`).
import { prestartReader } from "./reader-thread.js";

prestartReader();
