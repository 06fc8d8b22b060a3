/**
 * HTML reports and the local dashboard.
 */
export { createDashboardApp } from './dashboard-app.js';
export { type RunningDashboard, startDashboard } from './serve-dashboard.js';
export { MAX_REPORT_TRADES, renderRunReport, renderStoredReport } from './run-report.js';

export { monthlyReturns, type MonthlyReturnsRow } from './monthly-returns.js';
