export { main, loadCommands } from './main.js';
