export { SecurityPage as Page } from './SecurityPage';
