// The patient's journey through openapi-fetch, typed by openapi-typescript from Sanctuary's live schema
// (`schema.d.ts`, generated beside this file). tests/clients/test_generated_clients.py compiles it with
// `tsc --strict` and runs it with node against a live server; it prints what it saw as one JSON object.
import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

type Profile = components["schemas"]["Profile"];
type MoodEntry = components["schemas"]["PortalMoodEntry"];
type Totals = components["schemas"]["InvoiceTotals"];

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

function ok<T>(label: string, result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data === undefined) {
    throw new Error(`${label}: HTTP ${result.response.status} ${JSON.stringify(result.error)}`);
  }
  return result.data;
}

const api = createClient<paths>({ baseUrl: required("SANCTUARY_URL") });

const login = ok("login", await api.POST("/api/v1/auth/login/", {
  body: { username: required("SANCTUARY_USERNAME"), password: required("SANCTUARY_PASSWORD") },
}));
const headers = { Authorization: `Token ${login.token}` };

const profile: Profile = ok("profile", await api.GET("/api/v1/me/", { headers }));
const upcoming = ok("upcoming", await api.GET("/api/v1/me/appointments/", {
  headers, params: { query: { when: "upcoming" } },
}));
const mood: MoodEntry = ok("mood entry", await api.POST("/api/v1/me/mood-entries/", {
  headers, body: { mood_rating: 7, energy_level: 6, notes: "A calmer week." },
}));
const invoices = ok("invoices", await api.GET("/api/v1/me/invoices/", { headers }));
const totals: Totals = ok("totals", await api.GET("/api/v1/me/invoices/summary/", { headers }));

const firstStart: string | undefined = upcoming.results[0]?.scheduled_start;
console.log(JSON.stringify({
  profile: { first_name: profile.first_name, therapist: profile.therapist },
  upcoming: upcoming.count,
  first_start: firstStart ?? null,
  mood: { id: mood.id, mood_rating: mood.mood_rating, entry_date: mood.entry_date },
  invoices: invoices.count,
  totals: { total_owed: totals.total_owed, open_count: totals.open_count },
}));
