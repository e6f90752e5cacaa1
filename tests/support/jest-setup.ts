import { closeTemplate } from './db';

afterAll(closeTemplate);
