import { mount } from 'svelte';
import App from './App.svelte';
import { installTestHook } from './lib/testHook';
import './app.css';

installTestHook();
const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
export default mount(App, { target });
