// Every unit test sees the server's grammar, as the app does once GET /api/info answered.
import { setGrammar, type Grammar } from './grammar';
import served from './grammar.fixture.json';

setGrammar(served as Grammar);
