// Scheduled work across restarts with the newest Claude Code (the scenario: schedule.ts).
import { NEWEST, realClaude } from './claude.js';
import { scheduleSurvival } from './schedule.js';

scheduleSurvival({ ...realClaude(NEWEST), layout: 'native' });
