// Scheduled work across restarts with the oldest Claude Code buddy-init supports (the scenario: schedule.ts).
import { OLDEST, realClaude } from './claude.js';
import { scheduleSurvival } from './schedule.js';

scheduleSurvival({ ...realClaude(OLDEST), layout: 'npm' });
